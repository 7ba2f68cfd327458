package org.sidekiqsupervisor.examples;

import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/**
 * The end-to-end scenarios on real Sidekiq 8.1, on JRuby 10 (Sidekiq 8 needs Ruby 3.2 or later): times in integer
 * milliseconds, {@code capsules} in the heartbeat.
 */
@RequiresService({Service.SIDEKIQ_8, Service.REDIS_SERVER})
class Sidekiq8EndToEndIT extends SidekiqEndToEnd {
    Sidekiq8EndToEndIT() {
        super(8);
    }
}
