package org.sidekiqsupervisor.model;

/**
 * What recording one event did, and the job as it stands after it.
 *
 * @param outcome what happened to the job's record
 * @param job     the job after the event
 */
public record RecordResult(Outcome outcome, Job job) {

    /** What recording an event did to the job's record. */
    public enum Outcome {
        /** The event was the first for this job: its record was created. */
        CREATED,
        /** The event joined the history of an existing job. */
        UPDATED,
        /** The same status at the same time was already recorded: nothing changed. */
        DUPLICATE
    }

    public boolean created() {
        return outcome == Outcome.CREATED;
    }
}
