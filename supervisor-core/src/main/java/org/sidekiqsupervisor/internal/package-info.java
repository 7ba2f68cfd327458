/**
 * Helpers shared by the supervisor's own modules, and <b>not API</b>: the one JSON configuration (numbers kept exactly,
 * nesting bounded), times as epoch microseconds, failure messages and URLs with credentials stripped for logs and
 * error bodies.
 *
 * <p>Everything here is internal. The classes are public only because other packages and modules of the supervisor
 * (the store, the Sidekiq side, the HTTP layer) use them; hosts must not, and any of them may change or go without
 * notice.
 */
package org.sidekiqsupervisor.internal;
