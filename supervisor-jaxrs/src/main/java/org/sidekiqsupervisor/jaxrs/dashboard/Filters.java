package org.sidekiqsupervisor.jaxrs.dashboard;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.sidekiqsupervisor.InvalidInputException;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.PageCursor;

/**
 * The job list's filters, as the URL carries them: each is null when absent, and the text is kept as given so that
 * links and forms repeat it. {@link #query} reads them into a store query, and is where a bad value is refused.
 *
 * @param status   a status's wire name, {@code lost}, or null for every status
 * @param filter   text the arguments contain, or null
 * @param jobClass the job class, or null
 * @param queue    the queue, or null
 * @param range    a {@link Range}'s name, or null
 * @param since    an ISO-8601 time the jobs were active from, or null
 * @param until    an ISO-8601 time the jobs were active before, or null
 */
public record Filters(String status, String filter, String jobClass, String queue, String range, String since, String until) {

    /** The filters from the URL's parameters: blank ones are absent, and status {@code all} is every status. */
    static Filters of(String status, String filter, String jobClass, String queue, String range, String since, String until) {
        String tab = blank(status);
        return new Filters("all".equals(tab) ? null : tab, blank(filter), blank(jobClass), blank(queue), blank(range), blank(since), blank(until));
    }

    /** The filters a confirmation form posted back, with this status. */
    static Filters posted(PostedForms.Form form, String status) {
        return of(status, form.text("filter"), form.text("job_class"), form.text("queue"), form.text("range"),
                form.text("since"), form.text("until"));
    }

    /** The query string of these filters, with {@code name} set to {@code value}. */
    public String with(String name, String value) {
        Map<String, String> parameters = parameters();
        parameters.put(name, value);
        return Format.query(parameters);
    }

    /** These filters as a query string. */
    public String queryString() {
        return Format.query(parameters());
    }

    /** Whether these filters show the lost jobs. */
    public boolean lost() {
        return "lost".equals(status);
    }

    /** Whether anything but the status narrows the jobs shown. */
    public boolean narrowed() {
        return filter != null || jobClass != null || queue != null || range != null || since != null || until != null;
    }

    /**
     * The store query for these filters.
     *
     * @param now    the time a {@link Range} reaches back from
     * @param cursor the URL's cursor, or null (or blank) for the first page
     * @param limit  how many jobs one page holds
     * @throws InvalidInputException for an unknown status or range, a bad cursor, or a time that is not ISO-8601
     */
    JobQuery query(Instant now, String cursor, int limit) {
        // The status is checked first, so that a page with several bad values names the status.
        JobStatus jobStatus = status == null || lost() ? null : JobStatus.fromWireName(status, "status");
        PageCursor after = blank(cursor) == null ? null : PageCursor.decode(cursor);
        Instant from = since == null ? null : time(since, "since");
        Instant to = until == null ? null : time(until, "until");
        if (from == null && range != null) {
            from = now.minus(Range.named(range, null).length());
        }
        return JobQuery.builder().status(jobStatus).filter(filter).jobClass(jobClass).queue(queue).since(from).until(to)
                .cursor(after).limit(limit).build();
    }

    private Map<String, String> parameters() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("status", status);
        parameters.put("filter", filter);
        parameters.put("job_class", jobClass);
        parameters.put("queue", queue);
        parameters.put("range", range);
        parameters.put("since", since);
        parameters.put("until", until);
        return parameters;
    }

    private static String blank(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }

    private static Instant time(String text, String field) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidInputException(field, field + " must be an ISO-8601 UTC time such as 2026-11-28T17:00:00Z (got "
                    + InvalidInputException.quote(text) + ")");
        }
    }
}
