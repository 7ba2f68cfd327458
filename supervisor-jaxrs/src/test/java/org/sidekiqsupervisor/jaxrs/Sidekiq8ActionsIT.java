package org.sidekiqsupervisor.jaxrs;

import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/** The API's actions against real Sidekiq 8. */
@RequiresService({Service.REDIS_SERVER, Service.SIDEKIQ_8})
class Sidekiq8ActionsIT extends RealSidekiqActions {
    Sidekiq8ActionsIT() {
        super(8);
    }
}
