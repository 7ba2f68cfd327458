package org.sidekiqsupervisor.jaxrs;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.sidekiqsupervisor.InvalidInputException;
import org.sidekiqsupervisor.internal.Json;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;

/**
 * Turns the fields of a request (form strings or JSON values) into a {@link JobEvent}, with the same
 * rules for both kinds of body. Fields the contract does not name are ignored.
 */
final class EventFields {
    /** Epoch seconds beyond this are surely milliseconds or garbage (year 5138). */
    private static final BigDecimal MAX_EPOCH_SECONDS = BigDecimal.valueOf(100_000_000_000L);
    private static final BigDecimal MICROS_PER_SECOND = BigDecimal.valueOf(1_000_000L);

    private EventFields() {
    }

    /**
     * The event a request reports.
     *
     * @param jobId the job id from the path, or null to take {@code job_id} from the fields
     */
    static JobEvent toEvent(Map<String, Object> fields, JobStatus status, String jobId) {
        String id = jobId != null ? jobId : text(fields, "job_id");
        return new JobEvent(id, status, at(fields), text(fields, "job_class"), text(fields, "queue"),
                arguments(fields), text(fields, "error_class"), text(fields, "error_message"), null, payload(fields));
    }

    /** A field that must be text, or null when absent. */
    static String text(Map<String, Object> fields, String name) {
        Object value = fields.get(name);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        JsonNode node = (JsonNode) value;
        if (node.isTextual()) {
            return node.textValue();
        }
        throw new InvalidInputException(name, name + " must be a string");
    }

    /** A field that must be one plain value (string, number or boolean), as text; null when absent. */
    static String scalar(Map<String, Object> fields, String name) {
        Object value = fields.get(name);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        JsonNode node = (JsonNode) value;
        if (node.isValueNode()) {
            return node.asText();
        }
        throw new InvalidInputException(name, name + " must be a single value");
    }

    /**
     * The arguments as a JSON text: a form field or JSON string is taken as the JSON text itself
     * ({@code job["args"].to_json}); any other JSON value is the arguments themselves, written back with
     * its numbers unchanged.
     */
    static String arguments(Map<String, Object> fields) {
        Object value = fields.get("arguments");
        if (value == null || value instanceof String) {
            return (String) value;
        }
        JsonNode node = (JsonNode) value;
        if (node.isTextual()) {
            return node.textValue();
        }
        try {
            return Json.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("arguments", "arguments could not be written back as JSON");
        }
    }

    /**
     * The job's Sidekiq hash as a JSON text: a JSON object is written back with its numbers unchanged; a form field or
     * JSON string is taken as the JSON text itself ({@code job.to_json}). {@link JobEvent} checks that it is one JSON
     * object within its limit.
     */
    static String payload(Map<String, Object> fields) {
        Object value = fields.get("payload");
        if (value == null || value instanceof String) {
            return (String) value;
        }
        JsonNode node = (JsonNode) value;
        if (node.isTextual()) {
            return node.textValue();
        }
        if (!node.isObject()) {
            throw new InvalidInputException("payload", "payload must be a JSON object");
        }
        try {
            return Json.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("payload", "payload could not be written back as JSON");
        }
    }

    /** {@code at}: epoch seconds (a number, fractions kept to the microsecond) or ISO-8601; null when absent. */
    static Instant at(Map<String, Object> fields) {
        Object value = fields.get("at");
        if (value == null) {
            return null;
        }
        if (value instanceof JsonNode node) {
            if (node.isNumber()) {
                return epochSeconds(node.decimalValue());
            }
            if (!node.isTextual()) {
                throw badTime();
            }
            value = node.textValue();
        }
        String text = ((String) value).trim();
        if (text.isEmpty()) {
            return null;
        }
        if (text.matches("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?")) {
            return epochSeconds(new BigDecimal(text));
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notUtc) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                throw badTime();
            }
        }
    }

    private static Instant epochSeconds(BigDecimal seconds) {
        if (seconds.abs().compareTo(MAX_EPOCH_SECONDS) > 0) {
            throw new InvalidInputException("at", "at must be epoch seconds (got a number too large: milliseconds?)");
        }
        BigInteger micros = seconds.multiply(MICROS_PER_SECOND).setScale(0, RoundingMode.HALF_UP).toBigIntegerExact();
        long value = micros.longValueExact();
        return Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1000L);
    }

    private static InvalidInputException badTime() {
        return new InvalidInputException("at", "at must be epoch seconds or an ISO-8601 time");
    }
}
