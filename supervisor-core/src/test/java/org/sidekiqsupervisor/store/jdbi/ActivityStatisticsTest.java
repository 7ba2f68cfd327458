package org.sidekiqsupervisor.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.ToLongFunction;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.internal.Times;
import org.sidekiqsupervisor.model.Activity;
import org.sidekiqsupervisor.model.EventCount;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.store.JobStore;

/**
 * The overview's settled buckets are kept in blocks aligned to the clock, so that a range whose edges moved a minute or
 * an hour reads again only the blocks its edges cut. Shown the way a person could see it: a write into a settled bucket
 * (only a clock far behind would make one) is not seen by a later read that still keeps its block, and is seen once the
 * block is read again.
 */
class ActivityStatisticsTest {
    /** Not a whole minute, hour or day. */
    private static final Instant NOW = Instant.parse("2026-11-28T15:47:12.345678Z");
    /** The 24-hour range's start. */
    private static final Instant DAY_AGO = NOW.minus(Duration.ofHours(24));

    @Test
    void a_range_whose_edges_moved_a_minute_reads_again_only_the_blocks_they_cut() {
        // The 24-hour range's counts, in 15-minute bars, read minute rollups only.
        List<String> before = settledParts(NOW.minus(Duration.ofHours(24)), NOW, 1, ActivityStatistics.COUNT_BLOCKS);
        List<String> after = settledParts(NOW.minus(Duration.ofHours(24)).plusSeconds(60), NOW.plusSeconds(60), 1,
                ActivityStatistics.COUNT_BLOCKS);
        // 24 hours of minutes: the partial hour at each end and 23 whole hours between.
        assertThat(before).hasSize(25);
        List<String> readAgain = new ArrayList<>(after);
        readAgain.removeAll(before);
        // The hour the start cut, and the hour the settled end grew into.
        assertThat(readAgain).hasSize(2);
    }

    @Test
    void timings_read_again_at_most_a_block_of_hours_when_the_start_crosses_an_hour() {
        List<String> before = settledParts(NOW.minus(Duration.ofHours(24)), NOW, Rollups.SPANS.size(),
                ActivityStatistics.TIMING_BLOCKS);
        List<String> after = settledParts(NOW.minus(Duration.ofHours(23)), NOW.plus(Duration.ofHours(1)), Rollups.SPANS.size(),
                ActivityStatistics.TIMING_BLOCKS);
        List<String> readAgain = new ArrayList<>(after);
        readAgain.removeAll(before);
        // Of the hours from 16:00 yesterday to midnight, only the 6-hour block the start cut ([12:00, 18:00) from 17:00):
        // the others are kept. Today's blocks of hours and minutes grew with the settled end.
        assertThat(readAgain.stream().filter(part -> part.startsWith("3600 2026-11-27")))
                .containsExactly("3600 2026-11-27T17:00:00Z 2026-11-27T18:00:00Z");
        assertThat(before).contains("3600 2026-11-27T18:00:00Z 2026-11-28T00:00:00Z");
        assertThat(after).contains("3600 2026-11-27T18:00:00Z 2026-11-28T00:00:00Z");
    }

    @Test
    void a_kept_block_of_counts_answers_after_the_edges_move_a_minute_and_a_block_they_cut_is_read_again() {
        // Late writes: one 12 hours ago, in an hour of minutes kept whole; one in the hour the start cuts next.
        keptBlockAnswersAndCutBlockIsReadAgain(Duration.ofMinutes(1), NOW.minus(Duration.ofHours(12)), DAY_AGO.plusSeconds(120),
                ActivityStatisticsTest::queued);
    }

    @Test
    void a_kept_block_of_timings_answers_after_the_start_crosses_an_hour_and_the_block_it_cuts_is_read_again() {
        // 19:47 yesterday, in the block of hours [18:00, 24:00) that the start moving from 15:47 to 16:47 leaves whole;
        // 17:07 yesterday, in the block [12:00, 18:00) that it cuts (read again from 17:00).
        keptBlockAnswersAndCutBlockIsReadAgain(Duration.ofHours(1), NOW.minus(Duration.ofHours(20)), DAY_AGO.plus(Duration.ofMinutes(80)),
                ActivityStatisticsTest::timed);
    }

    /**
     * Reads the 24-hour range (one job in it), writes a job at {@code late}, in a block the range moving by {@code moved}
     * leaves whole, and one at {@code cut}, in a block it cuts; then the moved range sees the second and not the first
     * ({@code measured} counts them), and a read keeping nothing sees all three.
     */
    private static void keptBlockAnswersAndCutBlockIsReadAgain(Duration moved, Instant late, Instant cut, ToLongFunction<Activity> measured) {
        try (HikariDataSource h2 = new HikariDataSource(); JobStore store = open(h2)) {
            record(store, "first", NOW.minus(Duration.ofHours(12)));
            assertThat(measured.applyAsLong(store.activity(DAY_AGO, NOW, Duration.ofMinutes(15), 10))).isEqualTo(1);
            record(store, "late", late);
            record(store, "cut", cut);
            Instant since = DAY_AGO.plus(moved);
            assertThat(measured.applyAsLong(store.activity(since, NOW.plus(moved), Duration.ofMinutes(15), 10))).isEqualTo(2);
            assertThat(measured.applyAsLong(store.activity(since, Duration.ofMinutes(15), 10))).isEqualTo(3);
        }
    }

    private static JobStore open(HikariDataSource h2) {
        h2.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return JdbiJobStore.open(h2, null);
    }

    /** The settled parts a range [since, now) reads in its first {@code spans} rollup lengths, as "span from to". */
    private static List<String> settledParts(Instant since, Instant now, int spans, List<Long> blocks) {
        List<String> parts = new ArrayList<>();
        long settledUs = Times.toMicros(now.minus(JobStore.SETTLED_AFTER));
        ActivityStatistics.coarsest(Rollups.bucketStart(Times.toMicros(since), Rollups.MINUTE_S), spans,
                (span, from, to) -> ActivityStatistics.splitSettled(span, from, to, settledUs, blocks, (readSpan, start, end, settled) -> {
                    if (settled) {
                        parts.add(readSpan + " " + Times.fromMicros(start) + " " + Times.fromMicros(end));
                    }
                }));
        return parts;
    }

    /** A job queued, started and completed 10 s later, received at {@code at}. */
    private static void record(JobStore store, String id, Instant at) {
        store.record(List.of(new JobEvent(id, JobStatus.QUEUED, at.minusSeconds(20), "Late", "default", null, null, null, null),
                JobEvent.of(id, JobStatus.STARTED, at.minusSeconds(10)), JobEvent.of(id, JobStatus.COMPLETE, at)), at);
    }

    private static long queued(Activity activity) {
        return activity.eventCounts().stream().filter(count -> count.status() == JobStatus.QUEUED).mapToLong(EventCount::count).sum();
    }

    private static long timed(Activity activity) {
        return activity.classTimings().stream().mapToLong(timings -> timings.running().count()).sum();
    }
}
