package org.sidekiqsupervisor.jaxrs.dashboard;

import java.util.List;

import org.sidekiqsupervisor.sidekiq.SidekiqActionResult;

/**
 * What an action on a Sidekiq set did ({@code sidekiqacted.jte}): how many entries it acted on, and each one it left
 * alone with why.
 *
 * @param view     which set
 * @param label    the action's button, Sidekiq's words
 * @param doneText what it did to each ({@code deleted}, ...)
 * @param result   the entries acted on and skipped
 * @param backHref the set's page (with the filter acted on)
 */
public record SidekiqActedPage(SidekiqSetView view, String label, String doneText, SidekiqActionResult result,
                               String backHref) implements DashboardPage {

    /** Why an entry was skipped, for people. */
    public static String reason(String code) {
        return switch (code) {
            case "gone" -> "gone: it moved or was removed meanwhile (Sidekiq retried or ran it, or someone acted on it)";
            case "not_found" -> "not found in the set";
            default -> code;
        };
    }
}
