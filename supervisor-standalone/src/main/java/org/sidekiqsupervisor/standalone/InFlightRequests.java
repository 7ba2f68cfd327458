package org.sidekiqsupervisor.standalone;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.HttpServerFilter;
import org.glassfish.grizzly.http.server.HttpServerProbe;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * How many requests the server has in hand: received (headers read, the body perhaps still arriving) and not yet
 * answered. Counted as Grizzly's graceful shutdown counts what it waits for, so that a stop can say what it waited for
 * and whether anything was still running when its grace ran out.
 */
final class InFlightRequests extends HttpServerProbe.Adapter {
    private final AtomicInteger count = new AtomicInteger();

    /** A counter of {@code server}'s requests; call before the server starts (Grizzly reads its probes then). */
    static InFlightRequests of(HttpServer server) {
        InFlightRequests requests = new InFlightRequests();
        server.getServerConfiguration().getMonitoringConfig().getWebServerConfig().addProbes(requests);
        return requests;
    }

    /** Requests received and not yet answered. */
    int count() {
        return count.get();
    }

    /**
     * Waits until no request is in hand, or until {@code deadlineNanos} ({@link System#nanoTime()}); true when none is.
     * Grizzly's own count drops once a response is flushed, which may come just before this one's: a stop waits for
     * both.
     */
    synchronized boolean awaitNone(long deadlineNanos) throws InterruptedException {
        while (count.get() > 0) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    @Override
    @SuppressWarnings("rawtypes") // Grizzly's interface takes a raw Connection
    public void onRequestReceiveEvent(HttpServerFilter filter, Connection connection, Request request) {
        count.incrementAndGet();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void onRequestCompleteEvent(HttpServerFilter filter, Connection connection, Response response) {
        if (count.decrementAndGet() == 0) {
            // Only the last one takes the lock: a waiter checks the count and waits holding it, so it cannot miss this.
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** "1 request" or "3 requests". */
    static String describe(int count) {
        return count + (count == 1 ? " request" : " requests");
    }
}
