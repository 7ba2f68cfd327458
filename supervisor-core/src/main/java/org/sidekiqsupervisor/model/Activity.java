package org.sidekiqsupervisor.model;

import java.util.List;

/**
 * What the supervisor saw over a recent span of time, as the dashboard's overview shows it.
 *
 * @param eventCounts  the events received, counted per status in buckets of one length, oldest bucket first; buckets
 *                     with no events are left out
 * @param classTimings wait and run times per job class, told by the events received in the span, the class with the
 *                     most first
 */
public record Activity(List<EventCount> eventCounts, List<ClassTimings> classTimings) {
    /** Copies the lists. */
    public Activity {
        eventCounts = List.copyOf(eventCounts);
        classTimings = List.copyOf(classTimings);
    }
}
