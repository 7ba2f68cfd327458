/**
 * The {@link org.sidekiqsupervisor.store.JobStore} on a relational database through JDBI: an H2 file (the default)
 * or PostgreSQL, shared safely by several supervisor processes. An append-only table of events and one current row
 * per job are written in the same transaction, with the counts by status, the duration buckets and the overview's
 * rollups (events, waits and runs per minute and per hour) kept beside them, so that "jobs whose status is X, newest
 * first", counts, duration summaries and the overview are index reads, not scans.
 *
 * <p>The schema is created and upgraded by Flyway with the supervisor's own history table and migration locations
 * (SQL under {@code migration/common} and {@code migration/postgresql} in this package's resources, plus Java
 * migrations for what SQL alone cannot do), so a host application's own Flyway in the same database is left alone.
 *
 * <p><b>Public API</b>: {@code JdbiJobStore}'s static entry points only: opening a store on a
 * {@link javax.sql.DataSource}, the supervisor's Flyway configuration for a host that applies the migrations itself,
 * and the newest schema version. <b>Internal</b> (package-private, may change without notice): everything else, i.e.
 * the SQL of the write and query paths, the aggregates kept beside the jobs, the duration histogram and the Java
 * migrations.
 */
package org.sidekiqsupervisor.store.jdbi;
