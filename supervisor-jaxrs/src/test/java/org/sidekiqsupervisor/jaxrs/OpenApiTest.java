package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.jaxrs.TestServer.Reply;

/**
 * The OpenAPI document against the resources: every endpoint they serve is documented and nothing else.
 * {@link OpenApiIT} calls each documented operation for real.
 */
class OpenApiTest {
    private static final List<Class<?>> API_RESOURCES = List.of(EventsResource.class, JobsResource.class, HealthResource.class,
            OpenApiResource.class, MetricsResource.class, SidekiqResource.class, AuditResource.class);
    private TestServer server;
    private JsonNode document;

    @BeforeEach
    void start() {
        server = TestServer.start("/", TestServer.memory(), HttpSettings.builder().apiToken("t0ken").build());
        Reply served = server.get("/api/v1/openapi.json");
        assertThat(served.status()).as("the document needs no token").isEqualTo(200);
        document = served.json();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void the_document_is_openapi_3_1_with_this_version() {
        assertThat(document.get("openapi").asText()).isEqualTo("3.1.0");
        assertThat(document.get("info").get("version").asText()).isEqualTo(org.sidekiqsupervisor.Supervisor.version());
    }

    @Test
    void every_endpoint_the_resources_serve_is_documented_and_nothing_else() {
        Set<String> served = new TreeSet<>();
        for (Class<?> resource : API_RESOURCES) {
            collect(Resource.from(resource), "", served);
        }
        Set<String> documented = new TreeSet<>();
        document.get("paths").fields().forEachRemaining(path -> path.getValue().fieldNames()
                .forEachRemaining(method -> documented.add(method.toUpperCase() + " " + path.getKey())));
        assertThat(documented).isEqualTo(served);
    }

    private static void collect(Resource resource, String prefix, Set<String> into) {
        String path = prefix + "/" + resource.getPath().replaceAll("^/|/$", "");
        path = path.replaceAll("\\{(\\w+)\\s*:[^}]*\\}", "{$1}");
        for (ResourceMethod method : resource.getResourceMethods()) {
            into.add(method.getHttpMethod() + " " + path);
        }
        for (Resource child : resource.getChildResources()) {
            collect(child, path, into);
        }
    }
}
