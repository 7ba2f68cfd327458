package org.sidekiqsupervisor.alerts;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where alerts go and when they are sent.
 *
 * @param webhooks       where to POST them (none: alerting is off)
 * @param slowAfter      a completed job whose run time (started → complete) is over this is "slow", or null for no
 *                       slow-job alerts unless its class has its own threshold
 * @param slowAfterClass per job class thresholds, overriding {@code slowAfter}
 * @param minInterval    at most one alert per kind and job class in this interval; the ones held back are counted
 *                       in the next (default 60 s)
 *
 * <p>Lost jobs are alerted as the looks at Sidekiq find them lost (contract 5b), once per job.
 */
public record AlertSettings(List<Webhook> webhooks, Duration slowAfter, Map<String, Duration> slowAfterClass, Duration minInterval) {
    /** The rate limit's default interval per kind and job class. */
    public static final Duration DEFAULT_MIN_INTERVAL = Duration.ofSeconds(60);
    /** No webhooks: alerting off. */
    public static final AlertSettings NONE = new AlertSettings(List.of(), null, Map.of(), DEFAULT_MIN_INTERVAL);

    /** Validates the settings; null intervals take their defaults. */
    public AlertSettings {
        webhooks = List.copyOf(webhooks);
        slowAfterClass = Map.copyOf(slowAfterClass);
        minInterval = minInterval == null ? DEFAULT_MIN_INTERVAL : minInterval;
        if (minInterval.isNegative()) {
            throw new IllegalArgumentException("minInterval must not be negative");
        }
    }

    /** Whether any alert is sent at all. */
    public boolean enabled() {
        return !webhooks.isEmpty();
    }

    /** The slow threshold for this class, or null. */
    public Duration slowAfter(String jobClass) {
        Duration own = jobClass == null ? null : slowAfterClass.get(jobClass);
        return own != null ? own : slowAfter;
    }

    /**
     * A webhook.
     *
     * @param url    an http or https URL
     * @param format {@link Format#JSON} (a generic JSON document) or {@link Format#SLACK} (Slack's incoming-webhook
     *               payload, which Mattermost, Rocket.Chat and others take too)
     */
    public record Webhook(URI url, Format format) {
        /** Refuses URLs other than http and https. */
        public Webhook {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(format, "format");
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
                throw new IllegalArgumentException("a webhook URL must be http or https (got " + url.getScheme() + ")");
            }
        }
    }

    /** The body a webhook gets. */
    public enum Format {
        /** A generic JSON document. */
        JSON,
        /** Slack's incoming-webhook payload: {@code {"text": ...}}. */
        SLACK
    }
}
