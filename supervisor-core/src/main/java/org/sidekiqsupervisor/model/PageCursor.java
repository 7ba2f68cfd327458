package org.sidekiqsupervisor.model;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

import org.sidekiqsupervisor.InvalidInputException;
import org.sidekiqsupervisor.internal.Times;

/**
 * A keyset position in "newest activity first" order: the last job of a page. Opaque on the wire.
 *
 * @param activityAt the activity time of the last job on the page
 * @param jobId      its id, which breaks ties between jobs with the same activity time
 */
public record PageCursor(Instant activityAt, String jobId) {

    public PageCursor {
        Objects.requireNonNull(activityAt, "activityAt");
        Objects.requireNonNull(jobId, "jobId");
    }

    /** The cursor that continues after this job. */
    public static PageCursor after(Job job) {
        return new PageCursor(job.activityAt(), job.jobId());
    }

    /** The cursor as an opaque URL-safe token. */
    public String encode() {
        String plain = Times.toMicros(activityAt) + ":" + jobId;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a token made by {@link #encode()}.
     *
     * @throws InvalidInputException naming {@code cursor} when the token was not made by this supervisor
     */
    public static PageCursor decode(String token) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int colon = plain.indexOf(':');
            long micros = Long.parseLong(plain.substring(0, colon));
            String jobId = JobEvent.requireJobId(plain.substring(colon + 1), "cursor");
            return new PageCursor(Times.fromMicros(micros), jobId);
        } catch (RuntimeException e) {
            throw new InvalidInputException("cursor", "cursor is not one this supervisor gave out");
        }
    }
}
