package org.sidekiqsupervisor.sidekiq;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import com.fasterxml.jackson.databind.JsonNode;
import org.sidekiqsupervisor.internal.Json;

/**
 * One job as Sidekiq holds it in a queue or a sorted set: the entry exactly as stored ({@link #raw}, the member an
 * action removes), the set's score, and the fields its Web UI shows, read from any version's format (times in float
 * seconds up to 7.x, integer milliseconds in 8.x).
 *
 * @param raw   the entry exactly as stored in Redis
 * @param score the set's score (float epoch seconds), or null for a queue's job
 * @param hash  the entry parsed, or a missing node when it is not a JSON object
 */
public record SidekiqJob(String raw, Double score, JsonNode hash) {

    /** Reads an entry; one that is not JSON keeps its raw text and has no fields. */
    public static SidekiqJob parse(String raw, Double score) {
        JsonNode hash;
        try {
            hash = Json.MAPPER.readTree(raw);
        } catch (IOException e) {
            hash = null;
        }
        return new SidekiqJob(raw, score, hash != null && hash.isObject() ? hash : com.fasterxml.jackson.databind.node.MissingNode.getInstance());
    }

    public String jid() {
        return text("jid");
    }

    public String jobClass() {
        return text("class");
    }

    public String queue() {
        return text("queue");
    }

    /** The arguments as stored, or null. */
    public JsonNode args() {
        return hash.get("args");
    }

    public Instant createdAt() {
        return time("created_at");
    }

    public Instant enqueuedAt() {
        return time("enqueued_at");
    }

    public Instant failedAt() {
        return time("failed_at");
    }

    /** When Sidekiq last retried the job (its Web UI's "Last Retry"), or null before the first retry. */
    public Instant retriedAt() {
        return time("retried_at");
    }

    /** The set's score as a time, or null for a queue's job. */
    public Instant at() {
        return score == null ? null : SidekiqVersion.readTimestamp(score);
    }

    public Integer retryCount() {
        JsonNode count = hash.get("retry_count");
        return count != null && count.isNumber() ? count.intValue() : null;
    }

    public String errorClass() {
        return text("error_class");
    }

    public String errorMessage() {
        return text("error_message");
    }

    /**
     * The stored backtrace, decoded: Sidekiq writes it as the JSON array of lines, zlib-deflated, then Base64 (older
     * entries hold the array itself). Empty when there is none or it cannot be read.
     */
    public List<String> errorBacktrace() {
        JsonNode backtrace = hash.get("error_backtrace");
        List<String> lines = new ArrayList<>();
        if (backtrace == null) {
            return lines;
        }
        JsonNode array = backtrace;
        if (backtrace.isTextual()) {
            try {
                byte[] compressed = Base64.getMimeDecoder().decode(backtrace.textValue());
                array = Json.MAPPER.readTree(inflate(compressed));
            } catch (IllegalArgumentException | IOException | DataFormatException e) {
                return lines;
            }
        }
        if (array != null && array.isArray()) {
            array.forEach(line -> lines.add(line.asText()));
        }
        return lines;
    }

    /** Whether {@code filter} (null or empty: anything) is a substring of the stored entry. */
    public boolean matches(String filter) {
        return filter == null || filter.isEmpty() || raw.contains(filter);
    }

    private static String inflate(byte[] compressed) throws DataFormatException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(compressed);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new DataFormatException("truncated backtrace");
                }
                out.write(buffer, 0, n);
                if (out.size() > 4 * 1024 * 1024) {
                    throw new DataFormatException("backtrace too large");
                }
            }
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            inflater.end();
        }
    }

    private String text(String name) {
        JsonNode value = hash.get(name);
        return value == null || value.isNull() ? null : value.asText();
    }

    private Instant time(String name) {
        JsonNode value = hash.get(name);
        return value != null && value.isNumber() ? SidekiqVersion.readTimestamp(value.doubleValue()) : null;
    }
}
