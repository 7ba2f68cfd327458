package org.sidekiqsupervisor.internal;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;

import org.sidekiqsupervisor.InvalidInputException;

/**
 * The one JSON configuration of the supervisor: limits on what it reads, and numbers kept exactly.
 *
 * <p>Numbers are read as {@link java.math.BigDecimal} / {@link java.math.BigInteger} and written back
 * unchanged, so a job's arguments never pass through a double. Nesting is limited to
 * {@value #MAX_NESTING_DEPTH} levels, which no real job's args reach and which bounds the stack a hostile
 * body can use.
 */
public final class Json {
    public static final int MAX_NESTING_DEPTH = 500;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    /** Reads trees with exact numbers; writes compact JSON with non-ASCII characters as they are. */
    public static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // Keep 1.10 as 1.10: trailing zeros are part of what the client sent.
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private Json() {
    }

    /**
     * Checks that {@code text} is exactly one JSON value within the limits, without building it.
     *
     * @throws InvalidInputException naming {@code field}
     */
    public static void requireValidText(String text, String field) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            if (parser.nextToken() == null) {
                throw new InvalidInputException(field, field + " is not valid JSON: it is blank");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                throw new InvalidInputException(field, field + " is not valid JSON: more follows the first value");
            }
        } catch (IOException e) {
            throw new InvalidInputException(field, field + " is not valid JSON: " + describe(e));
        }
    }

    /**
     * Checks that {@code text} is exactly one JSON object within the limits, without building it.
     *
     * @throws InvalidInputException naming {@code field}
     */
    public static void requireObjectText(String text, String field) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidInputException(field, field + " must be a JSON object");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                throw new InvalidInputException(field, field + " is not valid JSON: more follows the first value");
            }
        } catch (IOException e) {
            throw new InvalidInputException(field, field + " is not valid JSON: " + describe(e));
        }
    }

    /** A one-line description of a parse error, without the source text. */
    public static String describe(IOException e) {
        String message = e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe
                ? jpe.getOriginalMessage() : e.getMessage();
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
