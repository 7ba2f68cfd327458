package org.sidekiqsupervisor.jaxrs;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sidekiqsupervisor.sidekiq.SidekiqActionResult;
import org.sidekiqsupervisor.sidekiq.SidekiqJob;
import org.sidekiqsupervisor.sidekiq.SidekiqPage;
import org.sidekiqsupervisor.sidekiq.SidekiqProcess;
import org.sidekiqsupervisor.sidekiq.SidekiqState;

/** Sidekiq's own jobs, processes and action results as the JSON of contract section 7. Times are ISO-8601 UTC. */
final class SidekiqViews {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private SidekiqViews() {
    }

    static ObjectNode queues(SidekiqState state) {
        ObjectNode node = NODES.objectNode();
        ArrayNode queues = node.putArray("queues");
        for (SidekiqState.Queue queue : state.queues()) {
            queues.addObject().put("name", queue.name()).put("size", queue.size())
                    .put("latency_s", seconds(queue.latency().toMillis()));
        }
        return node;
    }

    private static BigDecimal seconds(long millis) {
        BigDecimal stripped = BigDecimal.valueOf(millis, 3).stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    static ObjectNode page(SidekiqPage page) {
        ObjectNode node = NODES.objectNode();
        ArrayNode jobs = node.putArray("jobs");
        page.jobs().forEach(job -> jobs.add(job(job)));
        node.put("next_cursor", page.nextCursor());
        node.put("size", page.size());
        return node;
    }

    /** A SidekiqJob: its fields, the set's score as {@code at} (sets only), and the raw hash as {@code payload}. */
    static ObjectNode job(SidekiqJob job) {
        ObjectNode node = NODES.objectNode();
        node.put("jid", job.jid());
        node.put("class", job.jobClass());
        node.put("queue", job.queue());
        JsonNode args = job.args();
        node.set("args", args == null ? NODES.nullNode() : args);
        node.put("created_at", JsonViews.time(job.createdAt()));
        node.put("enqueued_at", JsonViews.time(job.enqueuedAt()));
        if (job.score() != null) {
            node.put("at", JsonViews.time(job.at()));
        }
        node.put("retry_count", job.retryCount());
        node.put("error_class", job.errorClass());
        node.put("error_message", job.errorMessage());
        node.put("failed_at", JsonViews.time(job.failedAt()));
        node.set("payload", job.hash().isObject() ? job.hash() : NODES.textNode(job.raw()));
        return node;
    }

    /** One entry with its decoded backtrace. */
    static ObjectNode detail(SidekiqJob job) {
        ObjectNode node = job(job);
        ArrayNode lines = node.putArray("error_backtrace");
        job.errorBacktrace().forEach(lines::add);
        return node;
    }

    static ObjectNode busy(List<SidekiqProcess> processes) {
        ObjectNode node = NODES.objectNode();
        ArrayNode list = node.putArray("processes");
        for (SidekiqProcess process : processes) {
            ObjectNode entry = list.addObject();
            entry.put("identity", process.identity());
            entry.put("hostname", process.hostname());
            entry.put("pid", process.pid());
            entry.put("tag", process.tag());
            entry.put("version", process.version());
            ArrayNode queues = entry.putArray("queues");
            process.queues().forEach(queues::add);
            entry.put("concurrency", process.concurrency());
            entry.put("busy", process.busy());
            entry.put("quiet", process.quiet());
            entry.put("beat", JsonViews.time(process.beat()));
            if (process.rssKb() >= 0) {
                entry.put("rss_kb", process.rssKb());
            } else {
                entry.putNull("rss_kb");
            }
            entry.put("started_at", JsonViews.time(process.startedAt()));
            ArrayNode jobs = entry.putArray("jobs");
            for (SidekiqProcess.Running running : process.jobs()) {
                jobs.addObject().put("tid", running.tid()).put("jid", running.jid()).put("class", running.jobClass())
                        .put("queue", running.queue()).put("run_at", JsonViews.time(running.runAt()));
            }
        }
        return node;
    }

    static ObjectNode result(SidekiqActionResult result, boolean dryRun) {
        ObjectNode node = NODES.objectNode();
        ArrayNode done = node.putArray("done");
        result.done().forEach(done::add);
        ArrayNode skipped = node.putArray("skipped");
        result.skipped().forEach(s -> skipped.addObject().put("jid", s.jid()).put("reason", s.reason()));
        node.put("count", result.count());
        node.put("dry_run", dryRun);
        return node;
    }
}
