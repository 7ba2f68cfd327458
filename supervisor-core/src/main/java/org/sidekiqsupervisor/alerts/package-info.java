/**
 * Webhook alerts about single jobs: a job failed, a job was lost, a job ran longer than its class's threshold. Sent
 * as JSON or in Slack's incoming-webhook format, rate-limited per kind and job class, retried with back-off, and never
 * in the way of ingest (a bounded queue and one sender thread).
 *
 * <p><b>Public API</b>: {@link org.sidekiqsupervisor.alerts.AlertSettings} (with its {@code Webhook}), which a host
 * passes to the supervisor's builder to say where alerts go and when, and {@link org.sidekiqsupervisor.alerts.Alert},
 * what one alert says.
 *
 * <p><b>Internal</b>: {@link org.sidekiqsupervisor.alerts.Alerter}, the sender. It is public only so that the
 * {@code manager} package can create and feed it; hosts do not call it, and it may change without notice.
 */
package org.sidekiqsupervisor.alerts;
