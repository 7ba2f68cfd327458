package org.sidekiqsupervisor.sidekiq;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import org.sidekiqsupervisor.internal.Json;

/**
 * Sidekiq's JSON, both ways: the payload its client pushes, and what the supervisor reads back from queues,
 * sets and process hashes of Sidekiq 6.x, 7.x and 8.x.
 */
public final class SidekiqPayloads {
    /**
     * A {@code "jid":"..."} pair, also when the job is JSON text inside JSON (the {@code payload} of a running
     * job is a string in 6.4 and 7.x, so its quotes arrive escaped).
     */
    private static final Pattern JID = Pattern.compile("\\\\?\"jid\\\\?\"\\s*:\\s*\\\\?\"([A-Za-z0-9_-]{1,64})\\\\?\"");
    /**
     * What Sidekiq adds to a job while it fails and is retried: a restart is a fresh start, so it is dropped (with
     * {@code retry_count} kept, a job restarted after two retries would have only the rest of its retries left).
     */
    private static final List<String> RETRY_BOOKKEEPING = List.of("retry_count", "error_class", "error_message",
            "error_backtrace", "failed_at", "retried_at");

    private SidekiqPayloads() {
    }

    /**
     * The job as Sidekiq's client writes it ({@code Sidekiq::Client#atomic_push}): its options first
     * ({@code retry}, {@code queue}), then {@code args}, {@code class}, {@code jid}, {@code created_at},
     * {@code enqueued_at}. {@code args} is written from the stored JSON text unchanged.
     */
    public static String payload(String jobClass, String argumentsJson, String jid, String queue, Instant now,
                                 SidekiqVersion version) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeBooleanField("retry", true);
            json.writeStringField("queue", queue);
            json.writeFieldName("args");
            json.writeRawValue(argumentsJson);
            json.writeStringField("class", jobClass);
            json.writeStringField("jid", jid);
            writeNumber(json, "created_at", version.timestamp(now));
            writeNumber(json, "enqueued_at", version.timestamp(now));
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * A job's own Sidekiq hash made ready to push again: a new {@code jid}, fresh {@code created_at} and
     * {@code enqueued_at} in {@code version}'s format, and without the retry bookkeeping ({@code retry_count},
     * {@code error_class}, {@code error_message}, {@code error_backtrace}, {@code failed_at}, {@code retried_at}).
     * Every other key keeps its place and its value exactly ({@code retry: false}, a retry count, tags, custom keys;
     * numbers are never passed through a double). A hash that names no queue gets {@code queue}, so that it agrees
     * with the list it is pushed to, as the hashes Sidekiq's client writes do.
     *
     * @param payloadJson the hash as a JSON object text, as {@link org.sidekiqsupervisor.model.JobEvent} keeps it
     * @param queue       the queue it is pushed to: {@link #queue(String)} of the hash, where it names one
     * @throws IllegalArgumentException when {@code payloadJson} is not a JSON object
     */
    public static String restartPayload(String payloadJson, String jid, String queue, Instant now, SidekiqVersion version) {
        JsonNode parsed = parse(payloadJson);
        if (parsed == null || !parsed.isObject()) {
            throw new IllegalArgumentException("a job's payload must be a JSON object");
        }
        ObjectNode job = (ObjectNode) parsed;
        job.remove(RETRY_BOOKKEEPING);
        if (queue(job) == null) {
            job.put("queue", queue);
        }
        // Replacing a key keeps its place in the hash; a missing one is added at the end, where the client puts it.
        job.put("jid", jid);
        job.putRawValue("created_at", new RawValue(timestamp(version, now)));
        job.putRawValue("enqueued_at", new RawValue(timestamp(version, now)));
        try {
            return Json.MAPPER.writeValueAsString(job);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The queue a job's hash names, or null when it names none. */
    public static String queue(String payloadJson) {
        return payloadJson == null ? null : queue(parse(payloadJson));
    }

    private static String queue(JsonNode job) {
        JsonNode queue = job == null ? null : job.get("queue");
        return queue != null && queue.isTextual() && !queue.textValue().isEmpty() ? queue.textValue() : null;
    }

    private static String timestamp(SidekiqVersion version, Instant time) {
        Number value = version.timestamp(time);
        return value instanceof BigDecimal decimal ? decimal.toPlainString() : String.valueOf(value.longValue());
    }

    private static void writeNumber(JsonGenerator json, String name, Number value) throws IOException {
        json.writeFieldName(name);
        if (value instanceof BigDecimal decimal) {
            json.writeNumber(decimal.toPlainString());
        } else {
            json.writeNumber(value.longValue());
        }
    }

    /**
     * The major version a process's heartbeat {@code info} announces in its {@code version} (7.x and 8.x write one,
     * 6.x does not); null when it announces none this code knows.
     */
    static SidekiqVersion announcedVersion(String info) {
        JsonNode data = info == null ? null : parse(info);
        JsonNode version = data == null ? null : data.get("version");
        return version != null && version.isTextual() ? SidekiqVersion.ofAnnounced(version.textValue()) : null;
    }

    /** Every jid named in a Sidekiq value (a job, or a running-work entry that embeds one). */
    public static void jidsIn(String value, Consumer<String> sink) {
        Matcher matcher = JID.matcher(value);
        while (matcher.find()) {
            sink.accept(matcher.group(1));
        }
    }

    /** The jids in a value, in order. */
    public static List<String> jidsIn(String value) {
        List<String> jids = new ArrayList<>();
        jidsIn(value, jids::add);
        return jids;
    }

    /** A job's {@code enqueued_at} (else {@code created_at}), in either version's format; null when absent. */
    public static Instant enqueuedAt(String payload) {
        JsonNode job = parse(payload);
        if (job == null) {
            return null;
        }
        JsonNode at = job.hasNonNull("enqueued_at") ? job.get("enqueued_at") : job.get("created_at");
        return at != null && at.isNumber() ? SidekiqVersion.readTimestamp(at.doubleValue()) : null;
    }

    /**
     * A process's heartbeat hash ({@code info}, {@code busy}, {@code beat}, {@code quiet}, {@code rss}) as a
     * {@link SidekiqState.Process}; null when it carries no readable {@code info}.
     */
    public static SidekiqState.Process process(String identity, String info, String busy, String beat, String quiet, String rss) {
        JsonNode data = info == null ? null : parse(info);
        if (data == null || !data.isObject()) {
            return null;
        }
        List<String> queues = new ArrayList<>();
        data.path("queues").forEach(queue -> queues.add(queue.asText()));
        JsonNode started = data.get("started_at");
        return new SidekiqState.Process(
                data.path("identity").asText(identity),
                data.path("hostname").asText(""),
                data.path("pid").asLong(-1),
                data.path("tag").asText(""),
                data.path("concurrency").asInt(0),
                (int) number(busy, 0),
                queues,
                "true".equals(quiet),
                started != null && started.isNumber() ? SidekiqVersion.readTimestamp(started.doubleValue()) : null,
                beat == null ? null : SidekiqVersion.readTimestamp(Double.parseDouble(beat)),
                number(rss, -1));
    }

    private static long number(String text, long absent) {
        if (text == null || text.isEmpty()) {
            return absent;
        }
        try {
            return new BigDecimal(text).toBigInteger().min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
        } catch (NumberFormatException e) {
            return absent;
        }
    }

    private static JsonNode parse(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }
}
