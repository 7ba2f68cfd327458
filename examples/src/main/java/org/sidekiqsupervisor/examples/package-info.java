/**
 * Runnable examples of embedding the supervisor, each exercised by a test so that it keeps working: mounting the HTTP
 * API and dashboard in a host's own Jersey application, and using the {@code JobManager} from code as the original
 * supervisor's {@code rails c} session did.
 *
 * <p><b>Not API</b>: these classes are meant to be read and copied, not depended on; they change with the library.
 * The Ruby middlewares and the Sidekiq demo app are in this module's {@code ruby} folder.
 */
package org.sidekiqsupervisor.examples;
