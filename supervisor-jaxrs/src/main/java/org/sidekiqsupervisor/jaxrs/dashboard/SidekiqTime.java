package org.sidekiqsupervisor.jaxrs.dashboard;

import java.time.Duration;
import java.time.Instant;

/**
 * A time on the Sidekiq pages as its Web UI shows one, relative ({@code in 3 min}, {@code 2 min ago}), with the
 * absolute time as well ({@code sidekiqtime.jte}): ISO-8601 for {@code <time datetime>}, which the page's script shows
 * in the viewer's time zone, and UTC text for a reader without it.
 *
 * @param iso      ISO-8601 UTC
 * @param utc      the time as UTC text
 * @param relative how far it is from when the page was made
 */
public record SidekiqTime(String iso, String utc, String relative) {

    /** {@code at} seen from {@code now}, or null when {@code at} is unknown. */
    static SidekiqTime of(Instant at, Instant now) {
        if (at == null) {
            return null;
        }
        Duration between = Duration.between(now, at);
        // Within a second reads as "now": the page was made a moment before it is read anyway.
        String relative = Math.abs(between.toMillis()) < 1000 ? "now"
                : between.isNegative() ? Format.duration(roundToSeconds(between.negated())) + " ago"
                : "in " + Format.duration(roundToSeconds(between));
        return new SidekiqTime(Format.iso(at), Format.utc(at), relative);
    }

    private static Duration roundToSeconds(Duration duration) {
        return Duration.ofSeconds(Math.round(duration.toMillis() / 1000.0));
    }
}
