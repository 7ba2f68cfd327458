package org.sidekiqsupervisor.store;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the supervisor's tables live in a database it may share with its host application, and who manages them.
 *
 * @param tablePrefix prefix of every table, index and the migration history table (default {@code supervisor_}):
 *                    lower-case letters, digits and underscores, starting with a letter, at most 30 characters
 * @param mode        {@link Mode#MIGRATE} (default): create and upgrade the schema at start;
 *                    {@link Mode#VALIDATE}: only check that it is current, fail at start otherwise;
 *                    {@link Mode#NONE}: touch nothing (the host applies the migrations itself)
 */
public record StoreSchema(String tablePrefix, Mode mode) {
    /** Who manages the supervisor's schema. */
    public enum Mode {
        /** The supervisor creates and upgrades its schema when it starts. */
        MIGRATE,
        /** The supervisor only checks that its schema is current, and refuses to start otherwise. */
        VALIDATE,
        /** The supervisor touches no table's definition: the host applies the migrations itself. */
        NONE;

        /**
         * The mode named {@code text}, in any case and with surrounding blanks ignored.
         *
         * @throws IllegalArgumentException naming the setting {@code schemaMode} when it names no mode
         */
        public static Mode parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("schemaMode must be migrate, validate or none (got " + text + ")");
            }
        }
    }

    // Declared before DEFAULT, which its constructor checks against it.
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,29}");
    /** The table prefix unless one is configured. */
    public static final String DEFAULT_PREFIX = "supervisor_";
    /** The default prefix, migrated at start. */
    public static final StoreSchema DEFAULT = new StoreSchema(DEFAULT_PREFIX, Mode.MIGRATE);

    /**
     * Checks the prefix and the mode.
     *
     * @throws IllegalArgumentException naming {@code tablePrefix} when the prefix is not one the supervisor accepts
     */
    public StoreSchema {
        Objects.requireNonNull(mode, "mode");
        if (tablePrefix == null || !PREFIX.matcher(tablePrefix).matches()) {
            throw new IllegalArgumentException("tablePrefix must be lower-case letters, digits and _, starting with a letter, "
                    + "at most 30 characters (got " + tablePrefix + ")");
        }
    }

    /** The jobs: one row per job, its current state. */
    public String jobsTable() {
        return tablePrefix + "jobs";
    }

    /** The jobs' histories: one row per event recorded. */
    public String eventsTable() {
        return tablePrefix + "job_events";
    }

    /**
     * PostgreSQL only (V18): each job's arguments once more, written once when they arrive, under the trigram index of
     * the arguments filter, so that a job's every later update does not index them again.
     */
    public String jobArgumentsTable() {
        return tablePrefix + "job_arguments";
    }

    /** The jobs-by-status counts. */
    public String countsTable() {
        return tablePrefix + "job_counts";
    }

    /** The durations of complete jobs per class, in buckets. */
    public String durationsTable() {
        return tablePrefix + "job_durations";
    }

    /** The events received per time bucket and status: the overview's rollups of events. */
    public String eventRollupsTable() {
        return tablePrefix + "event_rollups";
    }

    /** The waits and runs per time bucket and job class, in duration buckets: the overview's rollups of timings. */
    public String timingRollupsTable() {
        return tablePrefix + "timing_rollups";
    }

    /**
     * What recent transactions added to the overview's rollups (V19), as text (per minute, its event counts and each job
     * class's waits and runs), until the store folds it into the rollups.
     */
    public String pendingRollupsTable() {
        return tablePrefix + "pending_rollups";
    }

    /** Flyway's history table for the supervisor's own migrations. */
    public String historyTable() {
        return tablePrefix + "schema_history";
    }
}
