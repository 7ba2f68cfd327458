package org.sidekiqsupervisor.jaxrs;

import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import org.sidekiqsupervisor.InvalidInputException;
import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.model.AuditEntry;

/** {@code GET /api/v1/audit}: every action recorded, newest first (contract section 7). */
@Path("api/v1/audit")
public final class AuditResource {
    /** The page size when none is asked for. */
    public static final int DEFAULT_LIMIT = 50;
    /** The largest page. */
    public static final int MAX_LIMIT = 1000;
    private final JobManager manager;

    /** The audit log of {@code manager}'s store. */
    public AuditResource(JobManager manager) {
        this.manager = manager;
    }

    /** A page of entries; {@code cursor} is the previous page's {@code next_cursor}. */
    @GET
    public Response entries(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        Page page = page(manager, limit, cursor);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode list = body.putArray("entries");
        page.entries().forEach(entry -> {
            ObjectNode node = list.addObject();
            node.put("at", JsonViews.time(entry.at()));
            node.put("actor", entry.actor());
            node.put("action", entry.action());
            node.put("target", entry.target());
            ArrayNode jids = node.putArray("jids");
            entry.jids().forEach(jids::add);
            node.put("count", entry.count());
            node.put("dry_run", entry.dryRun());
        });
        body.put("next_cursor", page.nextCursor());
        return Responses.json(200, body).build();
    }

    /**
     * A page of the audit log, newest first: the one reading of {@code limit} and {@code cursor}, for the API and the
     * dashboard's audit page.
     *
     * @param entries    the page's entries
     * @param nextCursor the cursor of the next (older) page, or null on the last
     */
    public record Page(List<AuditEntry> entries, String nextCursor) {
    }

    /**
     * Reads a page of {@code manager}'s audit log.
     *
     * @param limit  the page size as given (null or empty: {@value #DEFAULT_LIMIT}; at most {@value #MAX_LIMIT})
     * @param cursor a {@link Page#nextCursor()} from before, or null for the newest entries
     * @throws InvalidInputException for a limit or cursor that cannot be read
     */
    public static Page page(JobManager manager, String limit, String cursor) {
        long asked = number(limit, "limit", DEFAULT_LIMIT);
        if (asked < 1 || asked > MAX_LIMIT) {
            throw new InvalidInputException("limit", "limit must be between 1 and " + MAX_LIMIT + " (got " + asked + ")");
        }
        int wanted = (int) asked;
        Long before = cursor == null || cursor.isEmpty() ? null : number(cursor, "cursor", 0);
        if (before != null && before < 1) {
            throw new InvalidInputException("cursor", "cursor is not one this API returned");
        }
        List<AuditEntry> entries = manager.auditLog(wanted + 1, before);
        return new Page(entries.stream().limit(wanted).toList(),
                entries.size() > wanted ? String.valueOf(entries.get(wanted - 1).id()) : null);
    }

    private static long number(String text, String field, long absent) {
        if (text == null || text.isEmpty()) {
            return absent;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(field, field + " must be a whole number (got " + InvalidInputException.quote(text) + ")");
        }
    }
}
