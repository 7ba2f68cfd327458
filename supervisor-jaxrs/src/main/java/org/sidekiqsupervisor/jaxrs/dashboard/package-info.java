/**
 * The {@code /sidekiq} dashboard: server-rendered pages over the {@link org.sidekiqsupervisor.manager.JobManager}
 * that answer what is stuck, what is slow and what was lost, with the controls to restart and delete jobs.
 *
 * <p>Pages are jte templates ({@code src/main/jte} of this module), compiled to Java at build time in HTML mode, so
 * every value is escaped for where it stands and a template error fails the build. Each template takes typed view
 * models (records) built here; charts are SVG geometry computed here, so pages need no script. Guarding the pages is
 * done here too: optional HTTP Basic sign-in, a stateless CSRF token checked on every POST, and the security headers
 * (Content-Security-Policy without inline script or style, no framing, no caching). Static assets ship in the jar.
 *
 * <p><b>Internal</b>: everything in this package. Types are public only because the compiled templates, which live
 * in a generated package of their own, must see them. Hosts get the dashboard by registering
 * {@link org.sidekiqsupervisor.jaxrs.SupervisorFeature}; the pages' URLs and behaviour are what users rely on, and the
 * classes behind them may change without notice.
 */
package org.sidekiqsupervisor.jaxrs.dashboard;
