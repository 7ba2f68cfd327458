/**
 * The supervisor on its own, as one runnable jar: {@code serve} (the default) runs the HTTP server on Grizzly, and the
 * console commands {@code jobs}, {@code durations}, {@code restart} and {@code prune} answer the original supervisor's
 * {@code JobManager} questions from a terminal on the same store. Settings come from flags or {@code SUPERVISOR_*}
 * environment variables (picocli), and are turned into a {@link org.sidekiqsupervisor.Supervisor} mounted with
 * {@link org.sidekiqsupervisor.jaxrs.SupervisorFeature}; this module only wires the other two.
 *
 * <p><b>Public interface</b>: the command line, i.e. {@code java -jar supervisor-standalone.jar [command] [options]},
 * its flags, environment variables, output formats and exit codes, as {@code --help} and the README describe them.
 *
 * <p><b>Internal</b>: every Java type here. {@link org.sidekiqsupervisor.standalone.Main} is public only as the jar's
 * entry point; the commands and option groups are package-private. Embed the library through
 * {@code Supervisor} and {@code SupervisorFeature} instead.
 */
package org.sidekiqsupervisor.standalone;
