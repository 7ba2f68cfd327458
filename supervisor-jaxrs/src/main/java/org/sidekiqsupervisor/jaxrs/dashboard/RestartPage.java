package org.sidekiqsupervisor.jaxrs.dashboard;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.sidekiqsupervisor.model.RestartResult;

/**
 * A restart of lost jobs: the dry run with the form to confirm it ({@code restart.jte}), or what was done
 * ({@code restarted.jte}). Both show the same facts, before and after.
 *
 * @param result  the dry run's plan, or what the restart did
 * @param filters the filters the lost jobs were chosen by, or null for one job restarted from its page
 * @param reasons how many jobs were left alone, by reason, in the reasons' order
 */
public record RestartPage(RestartResult result, Filters filters, Map<String, Long> reasons) implements DashboardPage {

    /** The page of {@code result}, with its skipped jobs counted by reason. */
    static RestartPage of(RestartResult result, Filters filters) {
        Map<String, Long> reasons = new TreeMap<>(result.skipped().stream()
                .collect(Collectors.groupingBy(RestartResult.Skipped::reason, Collectors.counting())));
        return new RestartPage(result, filters, reasons);
    }
}
