package org.sidekiqsupervisor.sidekiq;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * Every job one complete look found somewhere in Sidekiq (contract 5b): running in a live process, in a super_fetch
 * private list, in a queue, or in the retry, schedule or dead set. Kept as sorted 64-bit fingerprints of the jids,
 * 8 bytes a job (a million jobs in 8 MB): two jids that share a fingerprint (about one chance in 10^13 for a job among a
 * million held) make a lost job look held, the safe way round. Immutable and thread-safe.
 */
public final class HeldJobs {
    private final Instant startedAt;
    private final Instant finishedAt;
    private final long[] fingerprints;
    private final long entriesRead;

    private HeldJobs(Instant startedAt, Instant finishedAt, long[] fingerprints, long entriesRead) {
        this.startedAt = startedAt;
        this.finishedAt = finishedAt;
        this.fingerprints = fingerprints;
        this.entriesRead = entriesRead;
    }

    /** When the look began: a job with news after this was not looked for. */
    public Instant startedAt() {
        return startedAt;
    }

    /** When the look had read every place. */
    public Instant finishedAt() {
        return finishedAt;
    }

    /** How many entries (jobs in queues, sets and lists, running work) the look read. */
    public long entriesRead() {
        return entriesRead;
    }

    /** How many different jobs it found. */
    public int size() {
        return fingerprints.length;
    }

    /** Whether the look found this job somewhere. */
    public boolean holds(String jid) {
        return Arrays.binarySearch(fingerprints, fingerprint(jid)) >= 0;
    }

    /** 64-bit FNV-1a of the jid's UTF-8 bytes. */
    static long fingerprint(String jid) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : jid.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    /** Collects what a look finds; not thread-safe. */
    static final class Collector {
        private final Instant startedAt;
        private long[] fingerprints = new long[1024];
        private int size;
        private long entriesRead;

        Collector(Instant startedAt) {
            this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
        }

        void add(String jid) {
            if (size == fingerprints.length) {
                fingerprints = Arrays.copyOf(fingerprints, size * 2);
            }
            fingerprints[size++] = fingerprint(jid);
        }

        void read(long entries) {
            entriesRead += entries;
        }

        HeldJobs finish(Instant finishedAt) {
            long[] sorted = Arrays.copyOf(fingerprints, size);
            Arrays.sort(sorted);
            int distinct = 0;
            for (int i = 0; i < sorted.length; i++) {
                if (i == 0 || sorted[i] != sorted[i - 1]) {
                    sorted[distinct++] = sorted[i];
                }
            }
            return new HeldJobs(startedAt, finishedAt, Arrays.copyOf(sorted, distinct), entriesRead);
        }
    }
}
