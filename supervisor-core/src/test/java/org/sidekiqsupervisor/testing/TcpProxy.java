package org.sidekiqsupervisor.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a real server (PostgreSQL, Redis), for outage tests: it forwards, then it can cut every
 * connection and refuse new ones (the server is down), or hold connections open and pass nothing (the network
 * hangs), and then forward again (the server is back). The server itself is never touched, so other tests keep
 * using it.
 */
public final class TcpProxy implements AutoCloseable {
    private enum Mode { FORWARD, REFUSE, BLACKHOLE }

    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.FORWARD;
    private volatile ServerSocket listener;
    private volatile boolean closed;

    private TcpProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.port = RedisServer.freePort();
        listen();
    }

    public static TcpProxy to(String host, int port) {
        return new TcpProxy(host, port);
    }

    public int port() {
        return port;
    }

    /** The server is down: every connection is cut and new ones are refused. */
    public synchronized void refuse() {
        mode = Mode.REFUSE;
        closeQuietly(listener);
        cutAll();
    }

    /** The network hangs: connections stay open (new ones too) but nothing passes either way. */
    public synchronized void blackhole() {
        mode = Mode.BLACKHOLE;
    }

    /** The server is back. Connections held during a blackhole are cut (as a recovering network would). */
    public synchronized void forward() {
        Mode before = mode;
        mode = Mode.FORWARD;
        if (before == Mode.BLACKHOLE) {
            cutAll();
        }
        if (before == Mode.REFUSE) {
            listen();
        }
    }

    private void listen() {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            listener = socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ServerSocket current = listener;
        Thread accept = new Thread(() -> {
            while (!current.isClosed()) {
                try {
                    Socket client = current.accept();
                    open.add(client);
                    if (mode == Mode.FORWARD) {
                        Socket upstream = new Socket(targetHost, targetPort);
                        open.add(upstream);
                        pump(client, upstream);
                        pump(upstream, client);
                    }
                } catch (IOException e) {
                    // The listener was closed (refuse or close), or the target refused: that connection fails.
                }
            }
        }, "tcp-proxy-accept-" + port);
        accept.setDaemon(true);
        accept.start();
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) != -1) {
                    if (mode == Mode.BLACKHOLE) {
                        continue;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // Cut: the other direction notices too.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pump-" + port);
        thread.setDaemon(true);
        thread.start();
    }

    private void cutAll() {
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        open.clear();
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeQuietly(listener);
        cutAll();
    }

    @Override
    public String toString() {
        return "TcpProxy[" + port + " -> " + targetHost + ":" + targetPort + ", " + mode + (closed ? ", closed" : "") + "]";
    }
}
