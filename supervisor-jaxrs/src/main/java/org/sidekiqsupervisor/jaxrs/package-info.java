/**
 * The supervisor over HTTP, on Jersey (JAX-RS): the ingest endpoints the Ruby middlewares call, the query and control
 * API, {@code /health}, {@code /metrics}, the OpenAPI document, and the {@code /sidekiq} dashboard (in
 * {@code jaxrs.dashboard}). Resources parse and validate a request, call the
 * {@link org.sidekiqsupervisor.manager.JobManager}, and write the contract's JSON; they never touch SQL.
 *
 * <p><b>Public API</b>: {@link org.sidekiqsupervisor.jaxrs.SupervisorFeature}, which mounts all of it on a host's
 * Jersey application with one registration, with its {@link org.sidekiqsupervisor.jaxrs.HttpSettings} (API token,
 * dashboard sign-in, body limit); the endpoints are relative to wherever that application is mounted.
 * What clients rely on is the HTTP contract itself (paths, JSON shapes, status codes, error bodies), described by
 * {@code GET /api/v1/openapi.json}.
 *
 * <p><b>Internal</b> (may change without notice): every other type here. The resources, filters, {@code ApiException} and the
 * exception mapper are public because Jersey instantiates or registers them; the JSON views are public because the standalone
 * console prints the same shapes; the request body reader is public for the dashboard's forms. Hosts register the
 * feature, not these.
 */
package org.sidekiqsupervisor.jaxrs;
