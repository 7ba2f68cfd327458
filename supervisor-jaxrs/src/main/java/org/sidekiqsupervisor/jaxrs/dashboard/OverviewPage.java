package org.sidekiqsupervisor.jaxrs.dashboard;

import java.util.List;

import org.sidekiqsupervisor.jaxrs.dashboard.Charts.Chart;
import org.sidekiqsupervisor.model.ClassTimings;
import org.sidekiqsupervisor.sidekiq.SidekiqState;

/**
 * The overview ({@code overview.jte}).
 *
 * @param counts   a tile per stored status
 * @param lost     the lost jobs' tile, or null when Sidekiq's Redis is not configured
 * @param empty    whether the store holds no job yet, so the page explains how to report some
 * @param apiUrl   the application's base URL, for the set-up instructions
 * @param range    the time window of the chart and the timings
 * @param rate     events received per bucket of the range
 * @param timings  wait and run times by job class over the range
 * @param runChart the run times as a chart
 * @param sidekiq  Sidekiq's live state
 */
public record OverviewPage(List<Tile> counts, Tile lost, boolean empty, String apiUrl, Range range, Chart rate,
                           List<ClassTimings> timings, Chart runChart, SidekiqPanel sidekiq) implements DashboardPage {

    /**
     * One tile of the status counts.
     *
     * @param label    what is counted
     * @param count    the count as text
     * @param href     the job list of what is counted
     * @param cssClass the status's style
     */
    public record Tile(String label, String count, String href, String cssClass) {
    }

    /**
     * Sidekiq's live state, or the reason it cannot be shown.
     *
     * @param configured whether Sidekiq's Redis is configured
     * @param state      the state, or null when not configured or Redis does not answer
     * @param error      why Redis did not answer, or null
     */
    public record SidekiqPanel(boolean configured, SidekiqState state, String error) {
    }
}
