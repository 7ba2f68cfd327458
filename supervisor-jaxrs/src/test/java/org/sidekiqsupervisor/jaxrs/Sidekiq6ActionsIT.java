package org.sidekiqsupervisor.jaxrs;

import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/** The API's actions against real Sidekiq 6. */
@RequiresService({Service.REDIS_SERVER, Service.SIDEKIQ_6})
class Sidekiq6ActionsIT extends RealSidekiqActions {
    Sidekiq6ActionsIT() {
        super(6);
    }
}
