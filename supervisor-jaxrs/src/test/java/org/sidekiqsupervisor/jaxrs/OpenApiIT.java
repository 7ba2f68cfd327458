package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.jaxrs.TestServer.Reply;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;
import org.sidekiqsupervisor.testing.FakeSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/**
 * The OpenAPI document against the real API, Redis included: each documented operation, called for real, answers a
 * documented status with a body of the documented shape. {@link OpenApiTest} checks which endpoints it lists.
 */
@RequiresService(Service.REDIS_SERVER)
class OpenApiIT {
    private RedisServer redis;
    private FakeSidekiq sidekiq;
    private TestServer server;
    private JsonNode document;

    @BeforeEach
    void start() {
        redis = RedisServer.start();
        sidekiq = new FakeSidekiq(redis, 7);
        server = TestServer.start("/", TestServer.memory().redisUrl(redis.url()).sidekiqVersion(SidekiqVersion.V7),
                HttpSettings.builder().apiToken("t0ken").build());
        Reply served = server.get("/api/v1/openapi.json");
        assertThat(served.status()).as("the document needs no token").isEqualTo(200);
        document = served.json();
    }

    @AfterEach
    void stop() {
        server.close();
        sidekiq.close();
        redis.close();
    }

    @Test
    void each_operation_answers_a_documented_status_with_a_body_of_the_documented_shape() {
        long longAgo = Instant.now().minusSeconds(600).getEpochSecond();
        check("post", "/api/v1/jobs", post("/api/v1/jobs", "job_id=oa1&job_class=A&queue=default&arguments=%5B1%5D&at=" + longAgo), 201);
        check("post", "/api/v1/jobs", post("/api/v1/jobs", "job_id=oa1&job_class=A"), 200);
        check("post", "/api/v1/jobs", post("/api/v1/jobs", "job_class=A"), 400);
        check("post", "/api/v1/jobs/{job_id}/{event}", post("/api/v1/jobs/oa1/started", "at=" + (longAgo + 1)
                + "&payload=%7B%22retry%22%3Afalse%2C%22tags%22%3A%5B%22t%22%5D%7D"), 200);
        check("post", "/api/v1/jobs/{job_id}/{event}", post("/api/v1/jobs/oa2/failed", "error_class=E&error_message=boom"), 201);
        check("post", "/api/v1/jobs/{job_id}/{event}", post("/api/v1/jobs/oa3/complete", "at=yesterday"), 400);
        check("post", "/api/v1/jobs/{job_id}/progress", post("/api/v1/jobs/oa1/progress", "at=1&total=2&message=half"), 200);
        check("post", "/api/v1/jobs/{job_id}/progress", post("/api/v1/jobs/nobody/progress", "at=1"), 404);
        check("get", "/api/v1/jobs", get("/api/v1/jobs?status=started"), 200);
        check("get", "/api/v1/jobs", get("/api/v1/jobs?status=lost"), 200);
        check("get", "/api/v1/jobs", get("/api/v1/jobs?limit=0"), 400);
        check("get", "/api/v1/jobs/{job_id}", get("/api/v1/jobs/oa1"), 200);
        check("get", "/api/v1/jobs/{job_id}", get("/api/v1/jobs/nobody"), 404);
        check("post", "/api/v1/events", server.post("/api/v1/events", "application/json", ("[{\"job_id\":\"oa4\",\"status\":\"queued\"},"
                + "{\"job_id\":\"oa1\",\"status\":\"complete\",\"at\":" + (longAgo + 5) + "},{\"status\":\"queued\"}]").getBytes(), "t0ken"), 200);
        check("post", "/api/v1/events", server.post("/api/v1/events", "text/plain", "x".getBytes(), "t0ken"), 415);
        check("get", "/api/v1/durations", get("/api/v1/durations?from=started"), 200);
        check("get", "/api/v1/durations", get("/api/v1/durations?from=sideways"), 400);
        check("post", "/api/v1/jobs/restart", post("/api/v1/jobs/restart", "dry_run=true"), 200);
        check("post", "/api/v1/jobs/restart", post("/api/v1/jobs/restart", "limit=0"), 400);
        sidekiq.enqueued("w1", "default");
        check("get", "/api/v1/sidekiq", get("/api/v1/sidekiq"), 200);
        check("get", "/api/v1/sidekiq", server.get("/api/v1/sidekiq"), 401);
        check("get", "/api/v1/openapi.json", server.get("/api/v1/openapi.json"), 200);
        check("get", "/health", server.get("/health"), 200);
        Reply metrics = server.get("/metrics");
        assertThat(documentedStatuses("get", "/metrics")).contains("200");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.header("Content-Type")).startsWith("text/plain");
        sidekiq.inSet("retry", 1795887460.5, sidekiq.failedJob("r1", "default", 1));
        sidekiq.liveProcess("host:7:abc", java.util.Map.of("tid1", "busy1"));
        check("get", "/api/v1/sidekiq/queues", get("/api/v1/sidekiq/queues"), 200);
        check("get", "/api/v1/sidekiq/queues/{name}", get("/api/v1/sidekiq/queues/default"), 200);
        check("get", "/api/v1/sidekiq/{set}", get("/api/v1/sidekiq/retries"), 200);
        check("get", "/api/v1/sidekiq/{set}", get("/api/v1/sidekiq/dead?limit=0"), 400);
        check("get", "/api/v1/sidekiq/{set}/{jid}", get("/api/v1/sidekiq/retries/r1"), 200);
        check("get", "/api/v1/sidekiq/{set}/{jid}", get("/api/v1/sidekiq/dead/r1"), 404);
        check("get", "/api/v1/sidekiq/busy", get("/api/v1/sidekiq/busy"), 200);
        check("post", "/api/v1/sidekiq/{set}/actions", post("/api/v1/sidekiq/retries/actions", "action=kill&jid=r1"), 200);
        check("post", "/api/v1/sidekiq/{set}/actions", post("/api/v1/sidekiq/scheduled/actions", "action=kill&jid=r1"), 400);
        check("post", "/api/v1/sidekiq/queues/{name}/actions", post("/api/v1/sidekiq/queues/default/actions", "action=clear"), 200);
        check("post", "/api/v1/sidekiq/processes/{identity}/quiet", post("/api/v1/sidekiq/processes/host:7:abc/quiet", ""), 202);
        check("post", "/api/v1/sidekiq/processes/{identity}/stop", post("/api/v1/sidekiq/processes/nobody/stop", ""), 404);
        check("get", "/api/v1/audit", get("/api/v1/audit"), 200);
        check("get", "/api/v1/audit", get("/api/v1/audit?cursor=x"), 400);
        redis.close();
        check("get", "/api/v1/sidekiq", get("/api/v1/sidekiq"), 503);
        check("get", "/health", server.get("/health"), 503);
    }

    private Reply get(String path) {
        return server.get(path, "t0ken");
    }

    private Reply post(String path, String form) {
        return server.post(path, "application/x-www-form-urlencoded", form.getBytes(), "t0ken");
    }

    private List<String> documentedStatuses(String method, String path) {
        List<String> statuses = new ArrayList<>();
        document.get("paths").get(path).get(method).get("responses").fieldNames().forEachRemaining(statuses::add);
        return statuses;
    }

    /** The reply has the expected status, the operation documents it, and the body matches the documented schema. */
    private void check(String method, String path, Reply reply, int expected) {
        assertThat(reply.status()).as(method + " " + path + ": " + reply.body()).isEqualTo(expected);
        JsonNode operation = document.get("paths").get(path).get(method);
        JsonNode response = resolve(operation.get("responses").get(String.valueOf(expected)));
        assertThat(response).as(method + " " + path + " documents " + expected).isNotNull();
        JsonNode schema = response.path("content").path("application/json").path("schema");
        assertThat(schema.isMissingNode()).as(method + " " + path + " " + expected + " has a JSON schema").isFalse();
        List<String> problems = new ArrayList<>();
        conforms(schema, reply.json(), method + " " + path + " " + expected, problems);
        assertThat(problems).as(reply.body()).isEmpty();
    }

    private JsonNode resolve(JsonNode node) {
        while (node != null && node.has("$ref")) {
            JsonNode target = document;
            for (String part : node.get("$ref").asText().substring(2).split("/")) {
                target = target.get(part);
            }
            node = target;
        }
        return node;
    }

    /** A small structural check of the schema keywords the document uses: $ref, allOf, oneOf, type, enum, required, properties, items. */
    private void conforms(JsonNode schemaOrRef, JsonNode value, String where, List<String> problems) {
        JsonNode schema = resolve(schemaOrRef);
        if (schema.has("allOf")) {
            schema.get("allOf").forEach(part -> conforms(part, value, where, problems));
        }
        if (schema.has("oneOf")) {
            boolean any = false;
            for (JsonNode option : schema.get("oneOf")) {
                List<String> mine = new ArrayList<>();
                conforms(option, value, where, mine);
                any |= mine.isEmpty();
            }
            if (!any) {
                problems.add(where + ": matches none of oneOf");
            }
        }
        if (schema.has("type")) {
            List<String> types = new ArrayList<>();
            if (schema.get("type").isArray()) {
                schema.get("type").forEach(t -> types.add(t.asText()));
            } else {
                types.add(schema.get("type").asText());
            }
            if (types.stream().noneMatch(type -> hasType(value, type))) {
                problems.add(where + ": " + value + " is not of type " + types);
                return;
            }
        }
        if (schema.has("enum") && !value.isNull()) {
            boolean listed = false;
            for (JsonNode option : schema.get("enum")) {
                listed |= option.equals(value);
            }
            if (!listed) {
                problems.add(where + ": " + value + " is not one of " + schema.get("enum"));
            }
        }
        if (value.isObject()) {
            if (schema.has("required")) {
                for (JsonNode name : schema.get("required")) {
                    if (!value.has(name.asText())) {
                        problems.add(where + ": lacks required " + name.asText());
                    }
                }
            }
            if (schema.has("properties")) {
                Iterator<Map.Entry<String, JsonNode>> properties = schema.get("properties").fields();
                while (properties.hasNext()) {
                    Map.Entry<String, JsonNode> property = properties.next();
                    if (value.has(property.getKey())) {
                        conforms(property.getValue(), value.get(property.getKey()), where + "." + property.getKey(), problems);
                    }
                }
            }
            if (schema.has("additionalProperties") && schema.get("additionalProperties").isObject()) {
                value.fields().forEachRemaining(e -> conforms(schema.get("additionalProperties"), e.getValue(), where + "." + e.getKey(),
                        problems));
            }
        }
        if (value.isArray() && schema.has("items")) {
            int i = 0;
            for (JsonNode item : value) {
                conforms(schema.get("items"), item, where + "[" + i++ + "]", problems);
            }
        }
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "null" -> value.isNull();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            default -> throw new AssertionError("unknown type " + type);
        };
    }
}
