package org.sidekiqsupervisor.jaxrs;

import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/** The API's actions against real Sidekiq 7. */
@RequiresService({Service.REDIS_SERVER, Service.SIDEKIQ_7})
class Sidekiq7ActionsIT extends RealSidekiqActions {
    Sidekiq7ActionsIT() {
        super(7);
    }
}
