package org.sidekiqsupervisor.benchmarks;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.resps.Slowlog;

/**
 * What the supervisor asks of a Redis that only it and the benchmark use, told apart from what the benchmark asks.
 *
 * <p>Redis 7.0 counts commands ({@code INFO commandstats}) and bytes sent ({@code total_net_output_bytes}) for the whole
 * server, not per connection. So every connection of the benchmark's is made here: named {@value #OWN_NAME}, its bytes
 * read counted at the socket, and each command it sends while figures are taken counted by name (through
 * {@link #own}). The supervisor's use is the server's total less the benchmark's. The supervisor's connections are the
 * others; {@code CLIENT LIST} shows whether they carry the name {@value #SUPERVISOR_NAME}, and SLOWLOG entries are
 * told apart by name, or by the address of a connection of the benchmark's.
 *
 * <p>Thread-safe: commands counted as the benchmark's, and readings, take one lock, so a reading never falls between
 * a command and its reply.
 */
final class RedisWatch implements AutoCloseable {
    /** What the benchmark's own connections call themselves (CLIENT SETNAME). */
    static final String OWN_NAME = "backlog-benchmark";
    /** What the supervisor may call its connections. */
    static final String SUPERVISOR_NAME = "sidekiq-supervisor";
    /** SLOWLOG's threshold for the measured phases: 10 ms. */
    static final int SLOWLOG_MICROS = 10_000;

    private static final int SOCKET_TIMEOUT_MS = 120_000;

    private final int port;
    private final Object lock = new Object();
    private final List<CountingSocket> sockets = new CopyOnWriteArrayList<>();
    private final Set<String> ownAddresses = ConcurrentHashMap.newKeySet();
    /** The benchmark's commands so far, by commandstats name; guarded by {@link #lock}. */
    private final Map<String, Long> ownCommands = new HashMap<>();
    /** Every connection of the supervisor's seen in CLIENT LIST: address → name ("" for none). */
    private final Map<String, String> supervisorConnections = new ConcurrentHashMap<>();
    private final Jedis control;

    RedisWatch(int port) {
        this.port = port;
        this.control = connect();
    }

    /** A new connection of the benchmark's, named and counted. */
    Jedis connect() {
        return new Jedis(() -> {
            CountingSocket socket = new CountingSocket();
            try {
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(SOCKET_TIMEOUT_MS);
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            } catch (IOException e) {
                throw new JedisConnectionException("could not connect to redis-server on port " + port, e);
            }
            sockets.add(socket);
            ownAddresses.add("127.0.0.1:" + socket.getLocalPort());
            return socket;
        }, DefaultJedisClientConfig.builder().clientName(OWN_NAME).clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .autoNegotiateProtocol(false).socketTimeoutMillis(SOCKET_TIMEOUT_MS).build());
    }

    /** The connection for loading and for the benchmark's own questions. */
    Jedis control() {
        return control;
    }

    /**
     * Runs {@code work} on one of the benchmark's connections as a unit, counting {@code commands} (by their
     * commandstats names, {@code "hset"}, {@code "client|list"}) as the benchmark's.
     */
    <T> T own(Jedis redis, List<String> commands, Function<Jedis, T> work) {
        synchronized (lock) {
            T result = work.apply(redis);
            commands.forEach(command -> ownCommands.merge(command, 1L, Long::sum));
            return result;
        }
    }

    /** Commands by name and bytes Redis sent, since Redis started; or, as a difference, between two readings. */
    record Usage(Map<String, Long> calls, long bytesSent) {
        long commands() {
            return calls.values().stream().mapToLong(Long::longValue).sum();
        }

        Usage minus(Usage earlier) {
            Map<String, Long> calls = new TreeMap<>(this.calls);
            earlier.calls.forEach((command, count) -> calls.merge(command, -count, Long::sum));
            calls.values().removeIf(count -> count == 0);
            return new Usage(calls, bytesSent - earlier.bytesSent);
        }
    }

    /** Redis's totals and the benchmark's share at one moment ({@code atNanos}, of this JVM's clock). */
    record Reading(Usage total, Usage own, long atNanos) {
        /** The supervisor's use from {@code earlier} to this reading: everything Redis did less what the benchmark asked. */
        Usage supervisorSince(Reading earlier) {
            return total.minus(earlier.total).minus(own.minus(earlier.own));
        }

        double secondsSince(Reading earlier) {
            return (atNanos - earlier.atNanos) / 1e9;
        }
    }

    /**
     * Redis's totals now. The benchmark's share is copied before INFO is sent: this INFO counts in the window it opens
     * (Redis counts a command, and the bytes of its reply, after running it), not in the one it closes.
     */
    Reading reading() {
        synchronized (lock) {
            Usage own = new Usage(new HashMap<>(ownCommands), sockets.stream().mapToLong(socket -> socket.read.get()).sum());
            long at = System.nanoTime();
            String info = new String((byte[]) control.sendCommand(Protocol.Command.INFO, "stats", "commandstats"),
                    java.nio.charset.StandardCharsets.UTF_8);
            ownCommands.merge("info", 1L, Long::sum);
            return new Reading(parse(info), own, at);
        }
    }

    /** The commands' calls and {@code total_net_output_bytes} of an INFO answer. */
    static Usage parse(String info) {
        Map<String, Long> calls = new TreeMap<>();
        long bytesSent = -1;
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                int colon = line.indexOf(':');
                for (String field : line.substring(colon + 1).split(",")) {
                    if (field.startsWith("calls=")) {
                        calls.put(line.substring("cmdstat_".length(), colon), Long.parseLong(field.substring("calls=".length())));
                    }
                }
            } else if (line.startsWith("total_net_output_bytes:")) {
                bytesSent = Long.parseLong(line.substring("total_net_output_bytes:".length()).trim());
            }
        }
        if (bytesSent < 0) {
            throw new IllegalStateException("INFO stats has no total_net_output_bytes:\n" + info);
        }
        return new Usage(calls, bytesSent);
    }

    /** One connection in CLIENT LIST. */
    record Client(String address, String name) {
    }

    /** CLIENT LIST now, noting every connection of the supervisor's; returns the supervisor's connections. */
    List<Client> supervisorClients() {
        String list = own(control, List.of("client|list"), Jedis::clientList);
        List<Client> supervisor = new ArrayList<>();
        for (Client client : parseClientList(list)) {
            if (!isOwn(client.address(), client.name())) {
                supervisor.add(client);
                supervisorConnections.put(client.address(), client.name());
            }
        }
        return supervisor;
    }

    static List<Client> parseClientList(String list) {
        List<Client> clients = new ArrayList<>();
        for (String line : list.split("\r?\n")) {
            String address = null;
            String name = "";
            for (String field : line.split(" ")) {
                if (field.startsWith("addr=")) {
                    address = field.substring("addr=".length());
                } else if (field.startsWith("name=")) {
                    name = field.substring("name=".length());
                }
            }
            if (address != null) {
                clients.add(new Client(address, name));
            }
        }
        return clients;
    }

    /** Every connection of the supervisor's seen in CLIENT LIST so far: address → name ("" for none). */
    Map<String, String> supervisorConnectionsSeen() {
        return Map.copyOf(supervisorConnections);
    }

    private boolean isOwn(String address, String name) {
        return OWN_NAME.equals(name) || ownAddresses.contains(address);
    }

    /**
     * Whether a client is the supervisor's: named {@value #SUPERVISOR_NAME}, or, unnamed or otherwise named, not one of
     * the benchmark's connections (nothing else uses this Redis).
     */
    static boolean supervisors(String name, String address, Set<String> ownAddresses) {
        return SUPERVISOR_NAME.equals(name) || !OWN_NAME.equals(name) && !ownAddresses.contains(address);
    }

    /** Sets the threshold to {@value #SLOWLOG_MICROS} µs, room for 1,024 entries, and empties SLOWLOG. */
    void resetSlowlog() {
        own(control, List.of("config|set", "config|set", "slowlog|reset"), redis -> {
            redis.configSet("slowlog-log-slower-than", String.valueOf(SLOWLOG_MICROS));
            redis.configSet("slowlog-max-len", "1024");
            return redis.slowlogReset();
        });
    }

    /** A SLOWLOG entry: how long, what (the command as SLOWLOG keeps it, shortened), whose. */
    record Slow(long id, double ms, String command, String clientName, String clientAddress, boolean supervisors) {
    }

    /** Every SLOWLOG entry since {@link #resetSlowlog()}, oldest first. */
    List<Slow> slowlog() {
        List<Slowlog> entries = own(control, List.of("slowlog|get"), redis -> redis.slowlogGet(1024));
        List<Slow> slow = new ArrayList<>();
        for (Slowlog entry : entries) {
            String address = entry.getClientIpPort() == null ? "" : entry.getClientIpPort().toString();
            String name = entry.getClientName() == null ? "" : entry.getClientName();
            String command = String.join(" ", entry.getArgs());
            slow.add(0, new Slow(entry.getId(), entry.getExecutionTime() / 1000.0,
                    command.length() > 100 ? command.substring(0, 97) + "..." : command, name, address,
                    supervisors(name, address, ownAddresses)));
        }
        return slow;
    }

    /** A line of INFO: {@code used_memory_human}, say. */
    String info(String section, String field) {
        String info = own(control, List.of("info"), redis -> redis.info(section));
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        return "?";
    }

    @Override
    public void close() {
        control.close();
    }

    /** A socket that counts the bytes read from it: what Redis sent the benchmark. */
    private static final class CountingSocket extends Socket {
        final AtomicLong read = new AtomicLong();
        private InputStream counted;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (counted == null) {
                counted = new FilterInputStream(super.getInputStream()) {
                    @Override
                    public int read() throws IOException {
                        int b = super.read();
                        if (b >= 0) {
                            read.incrementAndGet();
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] buffer, int offset, int length) throws IOException {
                        int n = super.read(buffer, offset, length);
                        if (n > 0) {
                            read.addAndGet(n);
                        }
                        return n;
                    }
                };
            }
            return counted;
        }
    }
}
