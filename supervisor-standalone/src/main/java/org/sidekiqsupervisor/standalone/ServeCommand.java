package org.sidekiqsupervisor.standalone;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.glassfish.grizzly.GrizzlyFuture;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.threadpool.ThreadPoolConfig;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.alerts.AlertSettings;
import org.sidekiqsupervisor.jaxrs.HttpSettings;
import org.sidekiqsupervisor.jaxrs.SupervisorFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs the supervisor's HTTP server until SIGTERM or SIGINT, then stops taking requests, lets those in flight finish
 * and only then closes the store.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Serve the API and the /sidekiq dashboard (the default command).")
final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "${env:SUPERVISOR_PORT:-8080}",
            description = "port to listen on; 0 picks a free one (env SUPERVISOR_PORT; default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "${env:SUPERVISOR_BIND:-127.0.0.1}",
            description = "address to listen on; 0.0.0.0 for every interface (env SUPERVISOR_BIND; default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--api-token", paramLabel = "TOKEN", defaultValue = "${env:SUPERVISOR_API_TOKEN}",
            description = "require Authorization: Bearer TOKEN on /api/ calls; prefer the environment variable "
                    + "SUPERVISOR_API_TOKEN (default: off)")
    String apiToken;

    @Option(names = "--dashboard-user", paramLabel = "USER", defaultValue = "${env:SUPERVISOR_DASHBOARD_USER:-admin}",
            description = "user name the /sidekiq dashboard asks for with --dashboard-password (env SUPERVISOR_DASHBOARD_USER; "
                    + "default: ${DEFAULT-VALUE})")
    String dashboardUser;

    @Option(names = "--dashboard-password", paramLabel = "PASSWORD", defaultValue = "${env:SUPERVISOR_DASHBOARD_PASSWORD}",
            description = "require HTTP Basic sign-in on the /sidekiq dashboard; prefer the environment variable "
                    + "SUPERVISOR_DASHBOARD_PASSWORD (default: off, but with an API token and no password the dashboard asks "
                    + "for the token as its password)")
    String dashboardPassword;

    @Option(names = "--max-body-bytes", paramLabel = "BYTES", defaultValue = "${env:SUPERVISOR_MAX_BODY_BYTES:-1048576}",
            description = "largest request body accepted (env SUPERVISOR_MAX_BODY_BYTES; default: ${DEFAULT-VALUE})")
    long maxBodyBytes;

    @Option(names = "--retention-days", paramLabel = "DAYS", defaultValue = "${env:SUPERVISOR_RETENTION_DAYS:-0}",
            description = "delete finished jobs this many days after their last event, checked hourly; 0 keeps them "
                    + "(env SUPERVISOR_RETENTION_DAYS; default: ${DEFAULT-VALUE})")
    int retentionDays;

    @Option(names = "--rollup-retention-days", paramLabel = "DAYS", defaultValue = "${env:SUPERVISOR_ROLLUP_RETENTION_DAYS:-90}",
            description = "forget the overview's rollups (events, waits and runs per minute, hour and day) this many days "
                    + "after their bucket ended, checked hourly; 0 keeps them (env SUPERVISOR_ROLLUP_RETENTION_DAYS; "
                    + "default: ${DEFAULT-VALUE})")
    int rollupRetentionDays;

    @Option(names = "--worker-threads", paramLabel = "N", defaultValue = "${env:SUPERVISOR_WORKER_THREADS:-64}",
            description = "request threads; a request waits for its group commit, so more threads let more requests share "
                    + "one (env SUPERVISOR_WORKER_THREADS; default: ${DEFAULT-VALUE})")
    int workerThreads;

    @Option(names = "--read-only", defaultValue = "${env:SUPERVISOR_READ_ONLY:-false}",
            description = "refuse every action (403): restarts, deletes, and actions on Sidekiq's jobs and processes; the "
                    + "dashboard shows no controls for them. Ingest and reads go on; env SUPERVISOR_READ_ONLY")
    boolean readOnly;

    @Option(names = "--noop-endpoint", hidden = true,
            description = "serve /api/v1/noop/...: the ingest endpoints without the store, the benchmark's baseline")
    boolean noopEndpoint;

    @Option(names = "--shutdown-grace", paramLabel = "SECONDS", defaultValue = "${env:SUPERVISOR_SHUTDOWN_GRACE:-30}",
            description = "on SIGTERM, how long in-flight requests may take to finish (default: ${DEFAULT-VALUE})")
    int shutdownGrace;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "${env:SUPERVISOR_IDLE_TIMEOUT:-30}",
            description = "close a connection that sends nothing for this long, and give up on a request body that stalls "
                    + "this long (env SUPERVISOR_IDLE_TIMEOUT; default: ${DEFAULT-VALUE})")
    int idleTimeout;

    /** Largest request line plus headers; a bigger request is refused before any of it reaches the application. */
    static final int MAX_HEADER_BYTES = 16 * 1024;
    /** Most headers in one request. */
    static final int MAX_HEADERS = 100;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Mixin
    SidekiqOptions sidekiq = new SidekiqOptions();

    @Option(names = "--watchdog", paramLabel = "SECONDS", defaultValue = "${env:SUPERVISOR_WATCHDOG:-0}",
            description = "restart lost jobs automatically every this many seconds; 0 is off (env SUPERVISOR_WATCHDOG; "
                    + "default: ${DEFAULT-VALUE})")
    long watchdogSeconds;

    @Option(names = "--look-interval", paramLabel = "SECONDS", defaultValue = "${env:SUPERVISOR_LOOK_INTERVAL:-10}",
            description = "wait this long between looks at Sidekiq (each reads every place Sidekiq holds jobs, paced, to "
                    + "find lost jobs); 0 is off: no job is then found lost (env SUPERVISOR_LOOK_INTERVAL; default: "
                    + "${DEFAULT-VALUE})")
    long lookIntervalSeconds;

    @Option(names = "--alert-webhook", paramLabel = "URL", split = ",", defaultValue = "${env:SUPERVISOR_ALERT_WEBHOOKS}",
            description = "POST a JSON document here when a job fails, is lost or runs slow; repeat or separate with commas "
                    + "(env SUPERVISOR_ALERT_WEBHOOKS)")
    List<URI> alertWebhooks = new ArrayList<>();

    @Option(names = "--alert-slack-webhook", paramLabel = "URL", split = ",", defaultValue = "${env:SUPERVISOR_ALERT_SLACK_WEBHOOKS}",
            description = "the same alerts as a Slack incoming-webhook message (env SUPERVISOR_ALERT_SLACK_WEBHOOKS)")
    List<URI> alertSlackWebhooks = new ArrayList<>();

    @Option(names = "--alert-slow", paramLabel = "SECONDS", defaultValue = "${env:SUPERVISOR_ALERT_SLOW:-0}",
            description = "alert when a job runs (started to complete) longer than this; 0 is off (env SUPERVISOR_ALERT_SLOW; "
                    + "default: ${DEFAULT-VALUE})")
    double alertSlowSeconds;

    @Option(names = "--alert-slow-class", paramLabel = "CLASS=SECONDS", split = ",",
            defaultValue = "${env:SUPERVISOR_ALERT_SLOW_CLASSES}",
            description = "a class's own slow threshold, e.g. ReportBuilder=600; repeat or separate with commas "
                    + "(env SUPERVISOR_ALERT_SLOW_CLASSES)")
    Map<String, Double> alertSlowClasses = new LinkedHashMap<>();

    @Option(names = "--alert-interval", paramLabel = "SECONDS", defaultValue = "${env:SUPERVISOR_ALERT_INTERVAL:-60}",
            description = "at most one alert per kind and job class in this many seconds; the rest are counted in the next "
                    + "(env SUPERVISOR_ALERT_INTERVAL; default: ${DEFAULT-VALUE})")
    long alertIntervalSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (idleTimeout < 1 || idleTimeout > 3600) {
            throw new ParameterException(spec.commandLine(), "--idle-timeout must be 1 to 3600 seconds (got " + idleTimeout + ")");
        }
        if (workerThreads < 2 || workerThreads > 1024) {
            throw new ParameterException(spec.commandLine(), "--worker-threads must be 2 to 1024 (got " + workerThreads + ")");
        }
        if (shutdownGrace < 0) {
            throw new ParameterException(spec.commandLine(), "--shutdown-grace must be 0 or more seconds (got " + shutdownGrace + ")");
        }
        if (retentionDays < 0) {
            throw new ParameterException(spec.commandLine(), "--retention-days must be 0 (keep) or more (got " + retentionDays + ")");
        }
        if (rollupRetentionDays < 0) {
            throw new ParameterException(spec.commandLine(), "--rollup-retention-days must be 0 (keep) or more (got "
                    + rollupRetentionDays + ")");
        }
        if (port < 0 || port > 65_535) {
            throw new ParameterException(spec.commandLine(), "--port must be 0 to 65535 (got " + port + ")");
        }
        if (watchdogSeconds < 0) {
            throw new IllegalArgumentException("--watchdog must be zero (off) or more seconds (got " + watchdogSeconds + ")");
        }
        if (lookIntervalSeconds < 0) {
            throw new IllegalArgumentException("--look-interval must be zero (off) or more seconds (got " + lookIntervalSeconds + ")");
        }
        HttpSettings http = HttpSettings.builder().apiToken(apiToken).dashboardLogin(dashboardUser, dashboardPassword)
                .maxBodyBytes(maxBodyBytes).noopEndpoint(noopEndpoint).readOnly(readOnly).build();
        Supervisor supervisor = sidekiq.applyTo(database.applyTo(Supervisor.builder()))
                .watchdogInterval(watchdogSeconds == 0 ? null : Duration.ofSeconds(watchdogSeconds))
                .lookInterval(Duration.ofSeconds(lookIntervalSeconds))
                .retention(retentionDays == 0 ? null : Duration.ofDays(retentionDays))
                .rollupRetention(rollupRetentionDays == 0 ? null : Duration.ofDays(rollupRetentionDays))
                .alerts(alertSettings())
                .build();
        // The server's own JVM in its metrics too (an embedding host binds these to its registry itself).
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(supervisor.meterRegistry());
        new io.micrometer.core.instrument.binder.jvm.JvmGcMetrics().bindTo(supervisor.meterRegistry());
        new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(supervisor.meterRegistry());
        new io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics().bindTo(supervisor.meterRegistry());
        new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(supervisor.meterRegistry());
        new io.micrometer.core.instrument.binder.system.UptimeMetrics().bindTo(supervisor.meterRegistry());
        ResourceConfig app = new ResourceConfig()
                .register(new SupervisorFeature(supervisor, http))
                .property(ServerProperties.WADL_FEATURE_DISABLE, true);
        HttpServer server = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://" + hostForUri(bind) + ":" + port + "/"), app, false);
        // Grizzly's default is 2 x cores worker threads; ours spend their time waiting for a commit, not computing.
        for (NetworkListener each : server.getListeners()) {
            each.getTransport().setWorkerThreadPoolConfig(ThreadPoolConfig.defaultConfig()
                    .setPoolName("supervisor-http").setCorePoolSize(workerThreads).setMaxPoolSize(workerThreads));
            // Limits a hostile or broken client cannot get past: header size and count, idle keep-alive connections,
            // and a body that stops arriving (its blocking read on a worker thread times out).
            each.setMaxHttpHeaderSize(MAX_HEADER_BYTES);
            each.setMaxRequestHeaders(MAX_HEADERS);
            each.getKeepAlive().setIdleTimeoutInSeconds(idleTimeout);
            each.getTransport().setReadTimeout(idleTimeout, TimeUnit.SECONDS);
        }
        InFlightRequests requests = InFlightRequests.of(server);
        try {
            server.start();
        } catch (IOException e) {
            supervisor.close();
            throw new IOException("could not listen on " + bind + ":" + port + ": " + e.getMessage(), e);
        }
        NetworkListener listener = server.getListeners().iterator().next();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server, requests, supervisor, stopped), "supervisor-shutdown"));
        LOG.info("Sidekiq Supervisor {} listening on http://{}:{}/ (store: {}; redis: {}{}{}); dashboard at http://{}:{}/sidekiq",
                Supervisor.version(), hostForUri(bind), listener.getPort(), supervisor.storeDescription(),
                supervisor.redisDescription() == null ? "none" : supervisor.redisDescription(),
                http.apiToken() == null ? "" : "; API token required",
                http.dashboardLogin() == null ? "" : "; dashboard sign-in required", hostForUri(bind), listener.getPort());
        stopped.await();
        return 0;
    }

    private AlertSettings alertSettings() {
        if (alertSlowSeconds < 0 || alertIntervalSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--alert-slow and --alert-interval must not be negative");
        }
        List<AlertSettings.Webhook> webhooks = new ArrayList<>();
        alertWebhooks.forEach(url -> webhooks.add(new AlertSettings.Webhook(url, AlertSettings.Format.JSON)));
        alertSlackWebhooks.forEach(url -> webhooks.add(new AlertSettings.Webhook(url, AlertSettings.Format.SLACK)));
        Map<String, Duration> perClass = new LinkedHashMap<>();
        alertSlowClasses.forEach((jobClass, seconds) -> perClass.put(jobClass, Duration.ofMillis(Math.round(seconds * 1000))));
        return new AlertSettings(webhooks, alertSlowSeconds == 0 ? null : Duration.ofMillis(Math.round(alertSlowSeconds * 1000)),
                perClass, Duration.ofSeconds(alertIntervalSeconds));
    }

    /**
     * The JVM's shutdown hook (SIGTERM, SIGINT): stops taking connections and requests, lets the requests already in
     * hand finish (up to {@code --shutdown-grace}), and only then closes the supervisor (store, pools, scheduler). A stop
     * that finished every request it had exits 0.
     *
     * <p>Nothing else may close the store first: the H2 store's pool is opened without H2's own shutdown hook
     * ({@code DB_CLOSE_ON_EXIT=FALSE}, see {@code StorePool}), which would close the database at the signal, under the
     * requests this waits for.
     */
    private void stop(HttpServer server, InFlightRequests requests, Supervisor supervisor, CountDownLatch stopped) {
        // Unbinds the port before it returns (a new connection is refused), and from then on Grizzly answers a new
        // request on a kept-alive connection with 503; the future completes once every request in hand is answered,
        // or when the grace has run out.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(shutdownGrace);
        GrizzlyFuture<HttpServer> drained = server.shutdown(shutdownGrace, TimeUnit.SECONDS);
        LOG.info("stopping: no longer accepting connections; finishing {} in flight (up to {} s)",
                InFlightRequests.describe(requests.count()), shutdownGrace);
        boolean finished = false;
        try {
            drained.get(shutdownGrace + 5L, TimeUnit.SECONDS);
            finished = requests.awaitNone(deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("stopping: the server did not finish its graceful shutdown: {}", e.toString());
        }
        if (finished) {
            LOG.info("stopping: every request in flight has been answered; closing the store");
        } else {
            LOG.warn("stopping: {} still in flight after {} s; closing the store anyway",
                    InFlightRequests.describe(requests.count()), shutdownGrace);
        }
        // Grizzly's graceful shutdown stops the listener but leaves the rest (the application, its threads) to this.
        server.shutdownNow();
        supervisor.close();
        LOG.info("stopped; store closed");
        stopped.countDown();
        if (finished) {
            // A JVM stopped by a signal exits with 128 + its number (143 for SIGTERM) whatever its hooks did; a stop
            // that finished everything it started is a clean exit, 0. Everything the server opened is closed by now:
            // halt only cuts short the other shutdown hooks (H2's checkpoint of databases still open, none by now).
            Runtime.getRuntime().halt(0);
        }
    }

    private static String hostForUri(String address) {
        return address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
    }
}
