/**
 * The front door of the supervisor library: build one {@link org.sidekiqsupervisor.Supervisor} per application
 * with {@link org.sidekiqsupervisor.Supervisor#builder()}, use its
 * {@link org.sidekiqsupervisor.manager.JobManager}, and close it on shutdown.
 *
 * <p><b>Public API</b>: {@link org.sidekiqsupervisor.Supervisor} (with its builder),
 * {@link org.sidekiqsupervisor.SupervisorException}, the root of every failure the library reports on purpose (its
 * {@code kind()} says what went wrong, for front ends to map in one place), and
 * {@link org.sidekiqsupervisor.InvalidInputException}, which every layer throws for input that breaks the contract.
 * Hosts may rely on all three.
 *
 * <p><b>Internal</b>: the connection pool the supervisor makes for its store when the host gives it none.
 *
 * <p>The sub-packages split the library by responsibility: {@code model} (the values the API takes and returns),
 * {@code manager} (what the supervisor does with them), {@code store} (where they are kept), {@code sidekiq}
 * (Sidekiq's own Redis), {@code alerts} (webhooks) and {@code internal} (helpers that are not API). Nothing in this
 * module knows about HTTP; the HTTP API lives in the {@code supervisor-jaxrs} module.
 */
package org.sidekiqsupervisor;
