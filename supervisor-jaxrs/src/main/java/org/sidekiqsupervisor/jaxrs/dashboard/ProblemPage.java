package org.sidekiqsupervisor.jaxrs.dashboard;

/**
 * A request the dashboard could not answer, said for people ({@code problem.jte}).
 *
 * @param status  the HTTP status
 * @param heading what went wrong, in a few words
 * @param message what went wrong and what to do about it
 */
public record ProblemPage(int status, String heading, String message) implements DashboardPage {
}
