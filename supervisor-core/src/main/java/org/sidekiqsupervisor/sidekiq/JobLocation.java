package org.sidekiqsupervisor.sidekiq;

/** Where Sidekiq has a job, as read from its Redis. */
public enum JobLocation {
    /** A live Sidekiq process is working on it. */
    RUNNING("running"),
    /** It waits in a queue. */
    QUEUED("queued_in_sidekiq"),
    /** It failed and waits in the retry set. */
    RETRY("in_retry"),
    /** It waits in the schedule set. */
    SCHEDULED("scheduled"),
    /** Sidekiq gave up on it: it is in the dead set. */
    DEAD("dead"),
    /** Sidekiq has no trace of it. */
    NOWHERE("lost");

    private final String reason;

    JobLocation(String reason) {
        this.reason = reason;
    }

    /** The word a restart uses when it leaves a job alone because of where it is. */
    public String reason() {
        return reason;
    }
}
