/**
 * The performance benchmarks behind the README's figures, packaged as {@code benchmarks/target/benchmarks.jar}:
 * ingest throughput (the standalone jar driven over loopback by {@code wrk}, against a no-op endpoint measured in the
 * same run, with the CPU each event cost), start-up time, query cost at 10k, 100k and 1M jobs on H2 and PostgreSQL,
 * the supervisor's cost against a big Sidekiq backlog in a real Redis (its requests against the same with no backlog,
 * its Redis reads per minute with a dashboard open, its commands in SLOWLOG), and a soak that checks heap, threads,
 * descriptors and connections stay flat.
 *
 * <p><b>Public interface</b>: the command line, {@code java -Xmx256m -jar benchmarks.jar [ingest|queries|backlog|startup|soak|all]},
 * and the report it prints. <b>Internal</b>: every Java type here; {@link org.sidekiqsupervisor.benchmarks.Benchmarks}
 * is public only as the jar's entry point. Method, figures and history are in {@code docs/performance.md}.
 */
package org.sidekiqsupervisor.benchmarks;
