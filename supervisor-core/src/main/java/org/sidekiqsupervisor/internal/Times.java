package org.sidekiqsupervisor.internal;

import java.time.Instant;

/** Instants as epoch microseconds, the unit the store keeps times in (portable arithmetic in SQL). */
public final class Times {
    private Times() {
    }

    public static long toMicros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
    }

    public static Instant fromMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    /** Null-safe {@link #fromMicros(long)} for nullable columns. */
    public static Instant fromMicros(Long micros) {
        return micros == null ? null : fromMicros(micros.longValue());
    }

    /** Null-safe {@link #toMicros(Instant)} for nullable columns. */
    public static Long toMicrosOrNull(Instant instant) {
        return instant == null ? null : toMicros(instant);
    }
}
