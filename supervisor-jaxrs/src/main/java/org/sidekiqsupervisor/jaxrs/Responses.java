package org.sidekiqsupervisor.jaxrs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.sidekiqsupervisor.internal.Json;

/** JSON responses and the contract's error body {@code {"error": ..., "field": ...}}. */
final class Responses {
    static final String JSON_UTF8 = MediaType.APPLICATION_JSON + ";charset=utf-8";
    /** Parsed once: {@code type(String)} parses its argument on every response. */
    private static final MediaType JSON_UTF8_TYPE = MediaType.valueOf(JSON_UTF8);

    private Responses() {
    }

    static Response.ResponseBuilder json(int status, JsonNode body) {
        try {
            return Response.status(status).type(JSON_UTF8_TYPE).entity(Json.MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a response could not be written as JSON", e);
        }
    }

    static ObjectNode errorBody(String message, String field) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("error", message);
        node.put("field", field);
        return node;
    }

    static Response error(int status, String message, String field) {
        return json(status, errorBody(message, field)).build();
    }
}
