package org.sidekiqsupervisor.store.jdbi;

import java.util.function.Consumer;

/**
 * The steps of the ingest journal at which tests kill the process (see the crash tests): nothing happens at them
 * unless a test set {@link #hook}.
 */
final class JournalFaults {
    /** A step of the journal's work. */
    enum Step {
        /** Half of a group's record is written. */
        MID_APPEND,
        /** A group is appended, not yet acknowledged. */
        APPENDED,
        /** A batch's writes are made in the store's transaction, not yet committed. */
        APPLY_WRITTEN,
        /** A batch is committed to the store; the journal still holds it. */
        APPLIED,
        /** The journal gave back what was applied. */
        RELEASED
    }

    /** What happens at each step; tests set it, before the store opens. */
    static volatile Consumer<Step> hook;

    private JournalFaults() {
    }

    static void at(Step step) {
        Consumer<Step> current = hook;
        if (current != null) {
            current.accept(step);
        }
    }

    /** The fault for {@link JournalFile#append}, or null when no test listens. */
    static Runnable midAppend() {
        return hook == null ? null : () -> at(Step.MID_APPEND);
    }
}
