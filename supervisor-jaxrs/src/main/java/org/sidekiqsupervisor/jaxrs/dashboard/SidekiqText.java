package org.sidekiqsupervisor.jaxrs.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

/** Sidekiq's numbers and times as its Web UI words them, for the Busy, Queues and job pages. Stateless. */
final class SidekiqText {
    /** Arguments longer than this are cut, as Sidekiq's Web UI cuts them. */
    static final int ARGS_SHOWN = 100;

    private SidekiqText() {
    }

    /** {@code 32 s ago}, {@code 3 min 4 s ago}, {@code in 5 min}: how long before (or after) {@code now}; empty when unknown. */
    static String relative(Instant at, Instant now) {
        if (at == null) {
            return "";
        }
        Duration between = Duration.between(at, now);
        return between.isNegative() ? "in " + span(between.negated()) : span(between) + " ago";
    }

    /** A span in whole seconds, minutes, hours or days: a page refreshed every few seconds needs no milliseconds. */
    static String span(Duration duration) {
        long seconds = Math.max(0, duration.getSeconds());
        return seconds < 60 ? seconds + " s" : Format.duration(Duration.ofSeconds(seconds));
    }

    /** Latency as Sidekiq shows it: seconds with two decimals, and how long ago the oldest job came when over a minute. */
    static String latency(Duration latency, Instant now) {
        String seconds = String.format(Locale.ROOT, "%.2f", latency.toMillis() / 1000.0);
        return latency.compareTo(Duration.ofMinutes(1)) > 0 ? seconds + " (" + relative(now.minus(latency), now) + ")" : seconds;
    }

    /** Memory in KiB as people read it; {@code ?} when not reported. */
    static String rss(long kb) {
        if (kb < 0) {
            return "?";
        }
        return kb < 1024 ? kb + " KB" : kb < 1024 * 1024 ? String.format(Locale.ROOT, "%.1f MB", kb / 1024.0)
                : String.format(Locale.ROOT, "%.2f GB", kb / (1024.0 * 1024.0));
    }

    /** The arguments as stored (JSON), cut to {@value #ARGS_SHOWN} characters. */
    static String args(JsonNode args) {
        return args == null ? "" : Format.cut(args.toString(), ARGS_SHOWN);
    }
}
