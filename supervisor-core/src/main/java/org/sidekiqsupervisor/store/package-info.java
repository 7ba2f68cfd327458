/**
 * Where jobs and their histories are kept: the storage SPI and what configures it. A store holds no business rules:
 * it persists what the lifecycle rules of the {@code model} package decide, in one transaction per batch of events,
 * and answers queries through indexes. The JDBI implementation for H2 and PostgreSQL is in {@code store.jdbi}.
 *
 * <p><b>Public API</b>: {@link org.sidekiqsupervisor.store.StoreSchema} (the table prefix, and whether the supervisor
 * migrates, validates or leaves alone its schema) and {@link org.sidekiqsupervisor.store.StoreException} (the
 * database did not answer; nothing was written; the caller may retry).
 *
 * <p><b>Service provider interface</b>: {@link org.sidekiqsupervisor.store.JobStore}, between the {@code manager}
 * and a database. Hosts call the {@code JobManager}, never a store; the SPI is public so that the manager and the
 * JDBI store can meet across packages, and it grows with what the manager needs, so an implementation outside this
 * project should expect to follow those changes.
 */
package org.sidekiqsupervisor.store;
