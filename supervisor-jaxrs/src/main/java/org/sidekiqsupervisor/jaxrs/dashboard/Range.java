package org.sidekiqsupervisor.jaxrs.dashboard;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import org.sidekiqsupervisor.InvalidInputException;

/**
 * A time window the overview and the job list can be narrowed to.
 *
 * @param name   what the URL carries ({@code range=1h})
 * @param label  what a person reads
 * @param length how far back the window reaches from now
 * @param bucket how wide one bar of the overview's event chart is
 */
public record Range(String name, String label, Duration length, Duration bucket) {
    /** Every range, shortest first, in the order the range pickers list them. */
    public static final List<Range> ALL = List.of(
            // A bar is a whole number of minutes: the overview reads rollups kept per minute and per hour.
            new Range("15m", "last 15 minutes", Duration.ofMinutes(15), Duration.ofMinutes(1)),
            new Range("1h", "last hour", Duration.ofHours(1), Duration.ofMinutes(1)),
            new Range("24h", "last 24 hours", Duration.ofHours(24), Duration.ofMinutes(15)),
            new Range("7d", "last 7 days", Duration.ofDays(7), Duration.ofHours(2)),
            new Range("30d", "last 30 days", Duration.ofDays(30), Duration.ofHours(12)));

    /** The overview's range when the URL names none. */
    static final Range DEFAULT = ALL.get(1);

    /** The range called {@code name}, or {@code absent} when no name is given; an unknown name is invalid input. */
    static Range named(String name, Range absent) {
        if (name == null || name.isEmpty()) {
            return absent;
        }
        return ALL.stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new InvalidInputException("range", "range must be one of "
                        + ALL.stream().map(Range::name).collect(Collectors.joining(", ")) + " (got " + InvalidInputException.quote(name) + ")"));
    }
}
