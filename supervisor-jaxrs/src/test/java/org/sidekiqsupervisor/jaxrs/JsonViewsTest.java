package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.RestartPolicy;
import org.sidekiqsupervisor.sidekiq.SidekiqSettings;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;

/** What a job's JSON says about its restart rules (contract 5a). */
class JsonViewsTest {
    private static final Instant AT = Instant.parse("2026-11-28T17:00:00Z");
    private static final SidekiqSettings SETTINGS = new SidekiqSettings(SidekiqVersion.V7, Duration.ofSeconds(60), 3,
            Map.of("PaymentJob", RestartPolicy.HOLD));

    private static Job job(String jobClass, JobStatus status, int restarts) {
        Job job = Job.first(new JobEvent("j1", status, AT, jobClass, "default", "[1]", null, null, null), AT);
        return job.withRestarts(restarts);
    }

    @Test
    void a_lost_job_says_its_class_policy_and_a_job_that_is_not_lost_says_none() {
        assertThat(JsonViews.job(job("PaymentJob", JobStatus.STARTED, 0), true, SETTINGS).get("policy").asText()).isEqualTo("hold");
        assertThat(JsonViews.job(job("Mailer", JobStatus.STARTED, 0), true, SETTINGS).get("policy").asText()).isEqualTo("restart");
        assertThat(JsonViews.job(job("PaymentJob", JobStatus.STARTED, 0), false, SETTINGS).has("policy")).isFalse();
        assertThat(JsonViews.job(job("PaymentJob", JobStatus.STARTED, 0), null, SETTINGS).has("policy")).isFalse();
    }

    @Test
    void an_uncompleted_job_restarted_max_restarts_times_is_quarantined_and_says_so() {
        ObjectNode pill = JsonViews.job(job("Mailer", JobStatus.STARTED, 3), true, SETTINGS);
        assertThat(pill.get("quarantined").asBoolean()).isTrue();
        assertThat(JsonViews.job(job("Mailer", JobStatus.STARTED, 2), true, SETTINGS).has("quarantined")).isFalse();
        assertThat(JsonViews.job(job("Mailer", JobStatus.COMPLETE, 3), null, SETTINGS).has("quarantined"))
                .as("a replacement that finished is no poison pill").isFalse();
    }
}
