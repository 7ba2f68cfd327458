package org.sidekiqsupervisor.jaxrs.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.sidekiqsupervisor.model.ClassTimings;
import org.sidekiqsupervisor.model.DurationSummary;
import org.sidekiqsupervisor.model.EventCount;
import org.sidekiqsupervisor.model.JobStatus;

/**
 * Geometry of the dashboard's charts, drawn as SVG by the templates: a chart is numbers, so it needs no script
 * and reads the same without JavaScript. Stateless.
 */
public final class Charts {
    /** Width of the drawing area, in SVG units (the SVG scales to its box). */
    static final int WIDTH = 1000;
    static final int HEIGHT = 150;

    private Charts() {
    }

    /** One rectangle, with the tooltip it shows and where it links to (or null). */
    public record Bar(double x, double y, double width, double height, String cssClass, String title, String href) {
    }

    /** One text label at a point. */
    public record Label(double x, double y, String text, String anchor) {
    }

    /** A chart: its bars and labels, and whether there is anything to draw. */
    public record Chart(int width, int height, List<Bar> bars, List<Label> labels, boolean empty, String summary) {
    }

    /**
     * Events per bucket, stacked by status, from {@code since} to {@code now}. Each bar links to the jobs active
     * in its bucket.
     *
     * @param jobsLink the jobs page's URL without a query string
     */
    static Chart eventRate(List<EventCount> counts, Instant since, Instant now, Duration bucket, String jobsLink) {
        long bucketMs = bucket.toMillis();
        long first = Math.floorDiv(since.toEpochMilli(), bucketMs);
        long last = Math.floorDiv(now.toEpochMilli(), bucketMs);
        int buckets = (int) (last - first + 1);
        Map<Long, Map<JobStatus, Long>> byBucket = new TreeMap<>();
        for (EventCount count : counts) {
            long index = Math.floorDiv(count.bucketStart().toEpochMilli(), bucketMs);
            byBucket.computeIfAbsent(index, i -> new EnumMap<>(JobStatus.class)).merge(count.status(), count.count(), Long::sum);
        }
        long max = byBucket.values().stream().mapToLong(m -> m.values().stream().mapToLong(Long::longValue).sum()).max().orElse(0);
        List<Bar> bars = new ArrayList<>();
        double slot = (double) WIDTH / buckets;
        long total = 0;
        for (Map.Entry<Long, Map<JobStatus, Long>> entry : byBucket.entrySet()) {
            int position = (int) (entry.getKey() - first);
            if (position < 0 || position >= buckets) {
                continue;
            }
            Instant start = Instant.ofEpochMilli(entry.getKey() * bucketMs);
            Instant end = start.plus(bucket);
            String href = jobsLink + Format.query(Map.of("since", Format.iso(start), "until", Format.iso(end)));
            double top = HEIGHT;
            StringBuilder title = new StringBuilder(Format.utc(start)).append(" (").append(Format.duration(bucket)).append(")");
            for (JobStatus status : JobStatus.values()) {
                long n = entry.getValue().getOrDefault(status, 0L);
                if (n == 0) {
                    continue;
                }
                total += n;
                title.append("\n").append(status.wireName()).append(": ").append(Format.count(n));
            }
            String text = title.toString();
            for (JobStatus status : JobStatus.values()) {
                long n = entry.getValue().getOrDefault(status, 0L);
                if (n == 0) {
                    continue;
                }
                double height = (double) n / max * (HEIGHT - 4);
                top -= height;
                bars.add(new Bar(position * slot + slot * 0.1, top, Math.max(slot * 0.8, 0.5), height, "bar-" + status.wireName(),
                        text, href));
            }
        }
        List<Label> labels = List.of(new Label(0, HEIGHT + 14, Format.utc(since), "start"),
                new Label(WIDTH, HEIGHT + 14, Format.utc(now), "end"),
                new Label(WIDTH, 10, "max " + Format.count(max) + " / " + Format.duration(bucket), "end"));
        String summary = Format.count(total) + " events, at most " + Format.count(max) + " in one "
                + Format.duration(bucket) + " bucket";
        return new Chart(WIDTH, HEIGHT + 18, bars, labels, bars.isEmpty(), summary);
    }

    /** Run time p50, p95 and p99 per class (the classes given, in order), as horizontal bars on one scale. */
    static Chart runTimes(List<ClassTimings> timings) {
        List<ClassTimings> shown = timings.stream().filter(t -> t.running().count() > 0).limit(12).toList();
        double max = shown.stream().mapToDouble(t -> t.running().p99Ms()).max().orElse(0);
        int rowHeight = 22;
        int labelWidth = 220;
        List<Bar> bars = new ArrayList<>();
        List<Label> labels = new ArrayList<>();
        int row = 0;
        for (ClassTimings timing : shown) {
            double y = row * rowHeight + 4;
            DurationSummary run = timing.running();
            labels.add(new Label(labelWidth - 6, y + 13, Format.cut(timing.jobClass().isEmpty() ? "(no class)" : timing.jobClass(), 34),
                    "end"));
            double scale = max == 0 ? 0 : (WIDTH - labelWidth - 70) / max;
            bars.add(new Bar(labelWidth, y, Math.max(run.p99Ms() * scale, 1), 18, "bar-p99", "p99 " + Format.millis(run.p99Ms()), null));
            bars.add(new Bar(labelWidth, y + 3, Math.max(run.p95Ms() * scale, 1), 12, "bar-p95", "p95 " + Format.millis(run.p95Ms()), null));
            bars.add(new Bar(labelWidth, y + 6, Math.max(run.p50Ms() * scale, 1), 6, "bar-p50", "p50 " + Format.millis(run.p50Ms()), null));
            labels.add(new Label(labelWidth + run.p99Ms() * scale + 4, y + 13, Format.millis(run.p99Ms()), "start"));
            row++;
        }
        return new Chart(WIDTH, Math.max(row * rowHeight + 8, 30), bars, labels, shown.isEmpty(),
                "run time p50, p95 and p99 of the " + shown.size() + " busiest classes");
    }
}
