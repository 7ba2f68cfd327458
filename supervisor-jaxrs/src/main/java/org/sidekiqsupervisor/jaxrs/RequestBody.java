package org.sidekiqsupervisor.jaxrs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.core.MediaType;
import org.sidekiqsupervisor.internal.Json;

/**
 * A request body read within the size limit and decoded strictly: form-encoded (what Faraday sends) or
 * JSON, UTF-8 only. Fields are strings (form) or JSON values (JSON).
 *
 * <p>Form decoding is done here rather than by {@link java.net.URLDecoder} because that one replaces
 * invalid UTF-8 silently; the supervisor must refuse it, not store a corrupted argument.
 *
 * <p>Public for the dashboard's forms only; not part of the supported API.
 */
public final class RequestBody {
    static final String FORM = MediaType.APPLICATION_FORM_URLENCODED;
    static final String JSON = MediaType.APPLICATION_JSON;

    private final Map<String, Object> fields;
    private final JsonNode json;
    private final byte[] raw;

    private RequestBody(Map<String, Object> fields, JsonNode json) {
        this(fields, json, null);
    }

    private RequestBody(Map<String, Object> fields, JsonNode json, byte[] raw) {
        this.fields = fields;
        this.json = json;
        this.raw = raw;
    }

    /** The body's fields by name: {@code String} for form bodies, {@link JsonNode} for JSON objects. */
    public Map<String, Object> fields() {
        return fields;
    }

    /** The whole JSON document, or null for a form body. */
    JsonNode json() {
        return json;
    }

    /**
     * Reads and decodes a body.
     *
     * @param contentType   the Content-Type header, or null
     * @param contentLength the Content-Length header, or null
     * @param allowForm     whether a form body is acceptable here (the batch endpoint takes JSON only)
     * @throws ApiException 413 over the limit, 415 for another type or charset, 400 for a malformed body
     */
    public static RequestBody read(InputStream in, String contentType, String contentLength, long maxBytes, boolean allowForm) {
        if (contentType == null || contentType.isBlank()) {
            // No type and no body (curl -X POST, a bare Net::HTTP post) simply carries no fields.
            if (readLimited(in, contentLength, maxBytes).length == 0) {
                return new RequestBody(Map.of(), null);
            }
        }
        MediaType type = mediaType(contentType, allowForm);
        byte[] bytes = readLimited(in, contentLength, maxBytes);
        if (type.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
            return parseJson(bytes);
        }
        return new RequestBody(parseForm(bytes), null, bytes);
    }

    private static MediaType mediaType(String header, boolean allowForm) {
        String accepted = allowForm ? "application/x-www-form-urlencoded or application/json" : "application/json";
        if (header == null || header.isBlank()) {
            throw new ApiException(415, "Content-Type is missing: send " + accepted, null);
        }
        MediaType type;
        try {
            type = MediaType.valueOf(header);
        } catch (IllegalArgumentException e) {
            throw new ApiException(415, "Content-Type is not readable: send " + accepted, null);
        }
        boolean json = type.getType().equalsIgnoreCase("application") && type.getSubtype().equalsIgnoreCase("json");
        boolean form = type.getType().equalsIgnoreCase("application") && type.getSubtype().equalsIgnoreCase("x-www-form-urlencoded");
        if (!json && !(form && allowForm)) {
            throw new ApiException(415, "unsupported Content-Type " + type.getType() + "/" + type.getSubtype() + ": send " + accepted, null);
        }
        String charset = type.getParameters().get(MediaType.CHARSET_PARAMETER);
        if (charset != null && !charset.replace("\"", "").toLowerCase(Locale.ROOT).matches("utf-?8")) {
            throw new ApiException(415, "unsupported charset: bodies must be UTF-8", null);
        }
        return json ? MediaType.APPLICATION_JSON_TYPE : MediaType.APPLICATION_FORM_URLENCODED_TYPE;
    }

    private static byte[] readLimited(InputStream in, String contentLength, long maxBytes) {
        if (contentLength != null) {
            try {
                if (Long.parseLong(contentLength.trim()) > maxBytes) {
                    throw tooLarge(maxBytes);
                }
            } catch (NumberFormatException e) {
                throw new ApiException(400, "Content-Length is not a number", null);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) != -1) {
                if (out.size() + (long) n > maxBytes) {
                    throw tooLarge(maxBytes);
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // A body that stopped arriving (the server's read timeout) or a connection that broke mid-body.
            boolean timedOut = e instanceof java.io.InterruptedIOException || e.getCause() instanceof java.util.concurrent.TimeoutException;
            throw new ApiException(timedOut ? 408 : 400, timedOut ? "the request body stopped arriving before it was complete"
                    : "the request body could not be read completely", null);
        }
        return out.toByteArray();
    }

    private static ApiException tooLarge(long maxBytes) {
        return new ApiException(413, "the request body is larger than the limit of " + maxBytes + " bytes", null);
    }

    private static RequestBody parseJson(byte[] bytes) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new ApiException(400, "the body is not valid JSON: " + Json.describe(e), null);
        }
        if (node == null || node.isMissingNode()) {
            throw new ApiException(400, "the body is empty; send a JSON object", null);
        }
        return new RequestBody(fieldsOf(node), node);
    }

    /** The members of a JSON object by name, JSON nulls left out (they mean "not given"); empty for non-objects. */
    static Map<String, Object> fieldsOf(JsonNode node) {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (!field.getValue().isNull()) {
                    fields.put(field.getKey(), field.getValue());
                }
            }
        }
        return fields;
    }

    /**
     * Every value given for a field, in order: each value of a repeated form field, each element of a JSON array
     * (or the one JSON value); empty when absent.
     */
    public java.util.List<String> values(String name) {
        java.util.List<String> values = new java.util.ArrayList<>();
        if (json == null) {
            if (raw != null) {
                parseForm(raw, (key, value) -> {
                    if (key.equals(name)) {
                        values.add(value);
                    }
                });
            }
            return values;
        }
        Object value = fields.get(name);
        if (value instanceof JsonNode node) {
            if (node.isArray()) {
                node.forEach(element -> values.add(element.isValueNode() ? element.asText() : element.toString()));
            } else {
                values.add(node.isValueNode() ? node.asText() : node.toString());
            }
        }
        return values;
    }

    /** Decodes {@code application/x-www-form-urlencoded}; the first value of a repeated name wins. */
    static Map<String, Object> parseForm(byte[] bytes) {
        Map<String, Object> fields = new LinkedHashMap<>();
        parseForm(bytes, fields::putIfAbsent);
        return fields;
    }

    private static void parseForm(byte[] bytes, java.util.function.BiConsumer<String, String> sink) {
        int start = 0;
        while (start <= bytes.length) {
            int end = indexOf(bytes, (byte) '&', start);
            if (end > start) {
                int equals = indexOf(bytes, (byte) '=', start);
                int nameEnd = equals >= 0 && equals < end ? equals : end;
                String name = decode(bytes, start, nameEnd);
                String value = nameEnd < end ? decode(bytes, nameEnd + 1, end) : "";
                sink.accept(name, value);
            }
            start = end + 1;
        }
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return bytes.length;
    }

    private static String decode(byte[] bytes, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (b == '+') {
                out.write(' ');
            } else if (b == '%') {
                if (i + 2 >= to) {
                    throw malformed();
                }
                int high = Character.digit(bytes[i + 1], 16);
                int low = Character.digit(bytes[i + 2], 16);
                if (high < 0 || low < 0) {
                    throw malformed();
                }
                out.write(high << 4 | low);
                i += 2;
            } else {
                out.write(b);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(400, "the body is not valid UTF-8", null);
        }
    }

    private static ApiException malformed() {
        return new ApiException(400, "the body is not valid form encoding: a % must be followed by two hex digits", null);
    }
}
