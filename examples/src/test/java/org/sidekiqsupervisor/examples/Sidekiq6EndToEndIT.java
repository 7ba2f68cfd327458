package org.sidekiqsupervisor.examples;

import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/** The end-to-end scenarios on real Sidekiq 6.4 (Debian's ruby-sidekiq, on Debian's Ruby). */
@RequiresService({Service.SIDEKIQ_6, Service.REDIS_SERVER})
class Sidekiq6EndToEndIT extends SidekiqEndToEnd {
    Sidekiq6EndToEndIT() {
        super(6);
    }
}
