package org.sidekiqsupervisor.standalone;

import java.time.Duration;

import org.sidekiqsupervisor.Supervisor;

/** What the console commands share: a supervisor on the configured store (and Redis), with no background work. */
final class Console {
    /** Exit code of a restart that stopped part-way (Redis or the store failed): what was done is listed. */
    static final int PARTLY_DONE = 3;

    private Console() {
    }

    static Supervisor open(DatabaseOptions database, SidekiqOptions sidekiq) {
        Supervisor.Builder builder = database.applyTo(Supervisor.builder());
        if (sidekiq != null) {
            sidekiq.applyTo(builder);
        }
        // A console command does its one job; the looks at Sidekiq, the watchdog and retention belong to the server.
        return builder.watchdogInterval(null).lookInterval(Duration.ZERO).retention(null).rollupRetention(null).poolSize(2).build();
    }
}
