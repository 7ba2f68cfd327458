package org.sidekiqsupervisor.store;

import java.util.Locale;

import org.sidekiqsupervisor.InvalidInputException;

/**
 * Whether an embedded H2 store acknowledges events once they are appended to its journal, and when it flushes that
 * journal to the disk (as Redis's {@code appendfsync}). With a journal, each group of events costs one sequential
 * write before it is answered; the store applies the journal behind it in large batches, every read and every other
 * write waits for what was acknowledged before it, and a start replays what a crash left unapplied. Only an H2 file
 * has one: PostgreSQL, an in-memory H2 and an H2 shared with other processes ({@code AUTO_SERVER}) acknowledge after
 * the store commits, as {@link #OFF}.
 */
public enum IngestJournal {
    /** No journal: an event is acknowledged once the store committed it. */
    OFF("off"),
    /** Journal written before each acknowledgement, never flushed by the supervisor: survives a killed process, not a power loss. */
    NO_FSYNC("no"),
    /** Journal flushed to the disk once a second: a power loss loses at most the last second's events. */
    EVERY_SECOND("everysec"),
    /** Journal flushed before each acknowledgement (one flush per group of events): survives a power loss. */
    ALWAYS("always");

    /** The default: {@link #EVERY_SECOND}, as Redis's appendfsync. */
    public static final IngestJournal DEFAULT = EVERY_SECOND;

    private final String settingName;

    IngestJournal(String settingName) {
        this.settingName = settingName;
    }

    /** The name a setting gives it: off, no, everysec or always. */
    public String settingName() {
        return settingName;
    }

    /** Reads a setting (off, no, everysec, always; any case). */
    public static IngestJournal parse(String text) {
        String name = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (IngestJournal value : values()) {
            if (value.settingName.equals(name)) {
                return value;
            }
        }
        throw new InvalidInputException("ingest_journal", "the ingest journal is off, no, everysec or always (got "
                + InvalidInputException.quote(text) + ")");
    }
}
