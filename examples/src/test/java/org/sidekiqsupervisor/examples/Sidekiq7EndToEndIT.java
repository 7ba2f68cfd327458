package org.sidekiqsupervisor.examples;

import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/** The end-to-end scenarios on real Sidekiq 7.3 (on Debian's Ruby): redis-client, capsules, {@code <identity>:work}. */
@RequiresService({Service.SIDEKIQ_7, Service.REDIS_SERVER})
class Sidekiq7EndToEndIT extends SidekiqEndToEnd {
    Sidekiq7EndToEndIT() {
        super(7);
    }
}
