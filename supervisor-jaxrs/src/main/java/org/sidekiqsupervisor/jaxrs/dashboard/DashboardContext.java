package org.sidekiqsupervisor.jaxrs.dashboard;

import java.time.Clock;
import java.util.Objects;

import org.sidekiqsupervisor.manager.JobManager;

/**
 * What the dashboard's resources need from the supervisor that hosts them.
 *
 * @param manager          the job manager the pages read and act through
 * @param storeDescription where the jobs are stored, described for people (the footer shows it)
 * @param maxBodyBytes     the largest posted form the dashboard reads
 * @param clock            the clock pages are made by
 * @param readOnly         whether actions are refused (403) and pages show no controls for them ({@code --read-only})
 */
public record DashboardContext(JobManager manager, String storeDescription, long maxBodyBytes, Clock clock,
                               boolean readOnly) {

    /** Checks that the manager and the clock are given. */
    public DashboardContext {
        Objects.requireNonNull(manager, "manager");
        Objects.requireNonNull(clock, "clock");
    }
}
