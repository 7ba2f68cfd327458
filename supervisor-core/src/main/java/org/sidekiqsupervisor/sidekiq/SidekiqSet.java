package org.sidekiqsupervisor.sidekiq;

/**
 * Sidekiq's three sorted sets of jobs, each scored by a time in float epoch seconds (in every version), with the name
 * the API and Sidekiq's Web UI use for it and the order its Web UI lists it in.
 */
public enum SidekiqSet {
    /** Failed jobs waiting for their next try, scored by when; soonest first. */
    RETRY("retry", "retries", true),
    /** Jobs to run later ({@code perform_in}), scored by when; soonest first. */
    SCHEDULED("schedule", "scheduled", true),
    /** Jobs that used up their retries or were killed, scored by when they died; latest first. */
    DEAD("dead", "dead", false);

    private final String key;
    private final String wireName;
    private final boolean ascending;

    SidekiqSet(String key, String wireName, boolean ascending) {
        this.key = key;
        this.wireName = wireName;
        this.ascending = ascending;
    }

    /** The Redis key. */
    public String key() {
        return key;
    }

    /** The name in the API's paths: {@code retries}, {@code scheduled}, {@code dead}. */
    public String wireName() {
        return wireName;
    }

    /** Whether it is listed lowest score first. */
    public boolean ascending() {
        return ascending;
    }

    /** The set an API path names, or null. */
    public static SidekiqSet fromWireName(String name) {
        for (SidekiqSet set : values()) {
            if (set.wireName.equals(name)) {
                return set;
            }
        }
        return null;
    }
}
