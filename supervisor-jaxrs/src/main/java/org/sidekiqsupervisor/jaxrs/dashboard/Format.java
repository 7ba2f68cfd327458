package org.sidekiqsupervisor.jaxrs.dashboard;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** Text for people: durations in human units, times, counts, pretty JSON, query strings. Stateless. */
public final class Format {
    private static final DateTimeFormatter UTC_TEXT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_INSTANT;
    private static final ObjectMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private Format() {
    }

    /** A duration in milliseconds as a person reads it: {@code 850 ms}, {@code 1.2 s}, {@code 3 min 4 s}, {@code 2 h 5 min}. */
    public static String millis(double ms) {
        if (ms < 0) {
            return "-" + millis(-ms);
        }
        if (ms < 1) {
            return String.format(Locale.ROOT, "%.2f ms", ms);
        }
        if (ms < 1000) {
            return String.format(Locale.ROOT, "%.0f ms", ms);
        }
        double seconds = ms / 1000.0;
        if (seconds < 60) {
            return String.format(Locale.ROOT, seconds < 10 ? "%.2f s" : "%.1f s", seconds);
        }
        long total = Math.round(seconds);
        long days = total / 86_400;
        long hours = total % 86_400 / 3600;
        long minutes = total % 3600 / 60;
        long secs = total % 60;
        if (days > 0) {
            return hours == 0 ? days + " d" : days + " d " + hours + " h";
        }
        if (hours > 0) {
            return minutes == 0 ? hours + " h" : hours + " h " + minutes + " min";
        }
        return secs == 0 ? minutes + " min" : minutes + " min " + secs + " s";
    }

    /** {@link #millis(double)} of a duration. */
    public static String duration(Duration duration) {
        return millis(duration.toNanos() / 1_000_000.0);
    }

    /** The time between two instants, or an empty string when either is unknown. */
    public static String between(Instant from, Instant to) {
        return from == null || to == null ? "" : duration(Duration.between(from, to));
    }

    /** ISO-8601 UTC, for {@code <time datetime>} (the page's script shows it in the viewer's time zone). */
    public static String iso(Instant at) {
        return at == null ? "" : ISO.format(at);
    }

    /** The time as text in UTC: what a reader without JavaScript sees. */
    public static String utc(Instant at) {
        return at == null ? "" : UTC_TEXT.format(at);
    }

    /** A count with thousands separators. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Stored arguments (JSON text) indented for reading; the text as stored when it is not JSON. */
    public static String prettyJson(String json) {
        if (json == null) {
            return "";
        }
        try {
            JsonNode node = PRETTY.readTree(json);
            return PRETTY.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            return json;
        }
    }

    /** At most {@code max} characters of {@code text}, with an ellipsis when cut. */
    public static String cut(String text, int max) {
        if (text == null) {
            return "";
        }
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }

    /** A query string ({@code ?a=1&b=2}) from the non-empty values, each URL-encoded; empty when none. */
    public static String query(Map<String, String> parameters) {
        StringJoiner joined = new StringJoiner("&", "?", "").setEmptyValue("");
        parameters.forEach((name, value) -> {
            if (value != null && !value.isEmpty()) {
                joined.add(encode(name) + "=" + encode(value));
            }
        });
        return joined.toString();
    }

    /** URL-encodes one path segment or query value. */
    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
