package org.sidekiqsupervisor.jaxrs.dashboard;

import java.util.List;

import org.sidekiqsupervisor.sidekiq.SidekiqActionResult;

/**
 * What an action on Sidekiq did ({@code sidekiqdone.jte}).
 *
 * @param heading what was done
 * @param message what was done, in a sentence, and what happens next
 * @param done    what it acted on, one line each (may be empty)
 * @param skipped what it left alone and why
 * @param back    the page to go back to
 */
public record SidekiqDonePage(String heading, String message, List<String> done, List<SidekiqActionResult.Skipped> skipped,
                              String back) implements DashboardPage {
    public SidekiqDonePage {
        done = List.copyOf(done);
        skipped = List.copyOf(skipped);
    }
}
