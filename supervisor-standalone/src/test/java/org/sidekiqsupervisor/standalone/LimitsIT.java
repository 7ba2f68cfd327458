package org.sidekiqsupervisor.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidekiqsupervisor.testing.SupervisorProcess;

/**
 * The server's own limits, on the jar as users run it: oversized and too many headers, idle connections, a body
 * that stops arriving. Each is refused or closed by the server itself, not held for ever, and the server keeps
 * serving.
 */
class LimitsIT {
    /**
     * How long the test waits for the server to answer or close a connection before calling it held for ever: far
     * beyond the 2 s idle timeout, so that a busy machine only makes the test slower.
     */
    private static final int HELD_FOR_EVER_MILLIS = 60_000;

    @TempDir
    Path dir;

    /** What came back on a raw connection, and how long until the server answered or closed it. */
    private record Exchange(String answer, long millis, boolean closedByServer) {
    }

    private static Exchange send(URI base, String request) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(HELD_FOR_EVER_MILLIS);
            long start = System.nanoTime();
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            boolean closed = false;
            try {
                int n;
                while ((n = in.read(buffer)) != -1) {
                    answer.write(buffer, 0, n);
                }
                closed = true;
            } catch (SocketTimeoutException e) {
                closed = false;
            } catch (IOException e) {
                closed = true;
            }
            return new Exchange(answer.toString(StandardCharsets.ISO_8859_1), (System.nanoTime() - start) / 1_000_000, closed);
        }
    }

    @Test
    void oversized_requests_idle_connections_and_stalled_bodies_are_cut_off_and_the_server_stays_up() throws Exception {
        try (SupervisorProcess supervisor = SupervisorProcess.serve(dir, Map.of(), "--port", "0", "--idle-timeout", "2")) {
            URI base = supervisor.base();
            Exchange bigHeader = send(base, "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
            assertThat(bigHeader.answer()).startsWith("HTTP/1.1 400");
            assertThat(bigHeader.closedByServer()).isTrue();

            StringBuilder many = new StringBuilder("GET /health HTTP/1.1\r\nHost: x\r\n");
            for (int i = 0; i < ServeCommand.MAX_HEADERS + 50; i++) {
                many.append("X-H").append(i).append(": 1\r\n");
            }
            Exchange manyHeaders = send(base, many.append("\r\n").toString());
            assertThat(manyHeaders.answer()).startsWith("HTTP/1.1 400");

            // Half a request line, then nothing: closed after the idle timeout (never before it), not held for ever.
            Exchange partial = send(base, "GET /health HTTP/1.1\r\nHost: x\r\n");
            assertThat(partial.closedByServer()).isTrue();
            assertThat(partial.millis()).isGreaterThanOrEqualTo(1_500L);

            // A body announced as 100 bytes that stops after 8: refused with 408, nothing recorded.
            Exchange stalled = send(base, "POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 100\r\n\r\njob_id=a");
            assertThat(stalled.answer()).startsWith("HTTP/1.1 408").contains("stopped arriving");

            // An idle keep-alive connection is closed after one answer and the idle time.
            Exchange idle = send(base, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(idle.answer()).startsWith("HTTP/1.1 200");
            assertThat(idle.closedByServer()).isTrue();
            assertThat(idle.millis()).isGreaterThanOrEqualTo(1_500L);

            Exchange health = send(base, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(health.answer()).startsWith("HTTP/1.1 200").contains("\"status\":\"ok\"");
            Exchange notRecorded = send(base, "GET /api/v1/jobs/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(notRecorded.answer()).startsWith("HTTP/1.1 404");
        }
    }
}
