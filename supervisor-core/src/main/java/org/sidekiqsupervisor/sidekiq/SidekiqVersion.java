package org.sidekiqsupervisor.sidekiq;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The Sidekiq major version whose payload format the supervisor writes when it requeues a job: the one the live
 * processes announce in their heartbeat, else the configured one. Reading accepts every version's format.
 */
public enum SidekiqVersion {
    /** Sidekiq 6.x: times are float epoch seconds; running jobs under {@code <identity>:workers}. */
    V6,
    /** Sidekiq 7.x: float epoch seconds; running jobs under {@code <identity>:work}. */
    V7,
    /** Sidekiq 8.x: integer epoch milliseconds; running jobs under {@code <identity>:work}. */
    V8;

    /** Parses {@code 6}, {@code 7} or {@code 8}. */
    public static SidekiqVersion parse(String text) {
        return switch (text == null ? "" : text.trim()) {
            case "6" -> V6;
            case "7" -> V7;
            case "8" -> V8;
            default -> throw new IllegalArgumentException("sidekiqVersion must be 6, 7 or 8 (got " + text + ")");
        };
    }

    /**
     * The major version in a version string as a process announces it in its heartbeat ({@code "8.0.4"}); null when
     * it is not one of 6, 7 or 8.
     */
    static SidekiqVersion ofAnnounced(String version) {
        int dot = version.indexOf('.');
        return switch (dot < 0 ? version.trim() : version.substring(0, dot).trim()) {
            case "6" -> V6;
            case "7" -> V7;
            case "8" -> V8;
            default -> null;
        };
    }

    /** A time as this version writes {@code created_at} and {@code enqueued_at}. */
    public Number timestamp(Instant time) {
        if (this == V8) {
            return time.toEpochMilli();
        }
        // Ruby's Time#to_f: seconds with the fraction; microseconds are as precise as a double keeps them. Always with a
        // fraction, as a Float prints (1795887450.0): Sidekiq 8 reads a float as seconds but an integer as milliseconds.
        BigDecimal seconds = BigDecimal.valueOf(time.getEpochSecond()).add(BigDecimal.valueOf(time.getNano() / 1000, 6))
                .stripTrailingZeros();
        return seconds.scale() < 1 ? seconds.setScale(1) : seconds;
    }

    /**
     * Reads a Sidekiq time in either format: float epoch seconds (6.x, 7.x) or integer epoch milliseconds
     * (8.x). Values beyond the year 5000 in seconds are taken as milliseconds.
     */
    public static Instant readTimestamp(double value) {
        if (value > 100_000_000_000.0) {
            return Instant.ofEpochMilli((long) value);
        }
        long micros = Math.round(value * 1_000_000.0);
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }
}
