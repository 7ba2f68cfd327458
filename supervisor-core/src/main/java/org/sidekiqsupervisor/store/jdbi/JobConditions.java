package org.sidekiqsupervisor.store.jdbi;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jdbi.v3.core.statement.Query;
import org.sidekiqsupervisor.internal.Times;
import org.sidekiqsupervisor.model.PageCursor;

/** The WHERE clause of a jobs query, built from the criteria that are set, with its bindings. */
final class JobConditions {
    private final List<String> clauses = new ArrayList<>();
    private final Map<String, Object> bindings = new LinkedHashMap<>();

    /** {@code column} equals {@code value}; no condition when the value is null. */
    JobConditions equal(String column, String value) {
        if (value != null) {
            clauses.add(column + " = :" + column);
            bindings.put(column, value);
        }
        return this;
    }

    /** {@code column} is set. */
    JobConditions notNull(String column) {
        clauses.add(column + " is not null");
        return this;
    }

    /** A literal substring: the LIKE wildcards and the escape character in it are escaped. */
    JobConditions argumentsContain(String needle) {
        if (needle != null) {
            clauses.add("arguments like :arguments_like escape '\\'");
            bindings.put("arguments_like", "%" + escapeLike(needle) + "%");
        }
        return this;
    }

    /**
     * As {@link #argumentsContain}, looked up in {@code argumentsTable} (PostgreSQL's table under the trigram index, V18)
     * where it is not null: the query the database answers from that index, for a needle few jobs hold.
     */
    JobConditions argumentsContain(String needle, String argumentsTable) {
        if (needle == null || argumentsTable == null) {
            return argumentsContain(needle);
        }
        clauses.add("job_id in (select job_id from " + argumentsTable + " where arguments like :arguments_like escape '\\')");
        bindings.put("arguments_like", "%" + escapeLike(needle) + "%");
        return this;
    }

    /** The latest activity at or after {@code since} and before {@code until}, each bound only where it is set. */
    JobConditions activityFrom(Instant since, Instant until) {
        if (since != null) {
            clauses.add("activity_us >= :since_us");
            bindings.put("since_us", Times.toMicros(since));
        }
        if (until != null) {
            clauses.add("activity_us < :until_us");
            bindings.put("until_us", Times.toMicros(until));
        }
        return this;
    }

    /** Started before {@code before}; no condition when it is null. */
    JobConditions startedBefore(Instant before) {
        if (before != null) {
            clauses.add("started_us < :started_before_us");
            bindings.put("started_before_us", Times.toMicros(before));
        }
        return this;
    }

    /** Claimed for a restart before {@code before}; no condition when it is null. */
    JobConditions claimedBefore(Instant before) {
        if (before != null) {
            clauses.add("restart_claimed_us < :claimed_before_us");
            bindings.put("claimed_before_us", Times.toMicros(before));
        }
        return this;
    }

    /**
     * Found lost by the looks at Sidekiq; no condition unless {@code lostOnly}. A lost job is queued or started: the looks
     * mark only those, and any event clears the mark. A range rather than IS NOT NULL, so that H2 can read it from the
     * lost index (and PostgreSQL still proves its partial index's predicate from it).
     */
    JobConditions lost(boolean lostOnly) {
        if (lostOnly) {
            clauses.add("lost_us > 0");
        }
        return this;
    }

    /** Numbered ({@code seq}, H2's) as one of {@code seqs}: the candidates of {@link ArgumentsIndex}. */
    JobConditions seqAmong(long[] seqs) {
        clauses.add("seq = any(:seqs)");
        bindings.put("seqs", seqs);
        return this;
    }

    /** Past {@code cursor} in the order of {@link #newestFirst}; no condition on the first page (null). */
    JobConditions after(PageCursor cursor) {
        if (cursor != null) {
            // The first term bounds an index range scan; the OR alone made PostgreSQL read the whole table.
            clauses.add("activity_us <= :cursor_us and (activity_us < :cursor_us or job_id < :cursor_job_id)");
            bindings.put("cursor_us", Times.toMicros(cursor.activityAt()));
            bindings.put("cursor_job_id", cursor.jobId());
        }
        return this;
    }

    /** The WHERE clause, with a leading space; empty when no criterion is set. */
    String sql() {
        return clauses.isEmpty() ? "" : " where " + String.join(" and ", clauses);
    }

    /** Binds the clause's parameters to {@code query}; returns it. */
    Query bindTo(Query query) {
        bindings.forEach(query::bind);
        return query;
    }

    /**
     * Newest activity first. {@code equalColumn}, a column the query fixes to one value (or null), leads the ORDER BY:
     * it changes nothing in the order, but H2 reads its (column, activity, job id) index in order only when the ORDER
     * BY names the index's columns from the first; otherwise it reads every row of that status and sorts them.
     */
    static String newestFirst(String equalColumn) {
        return " order by " + (equalColumn == null ? "" : equalColumn + ", ") + "activity_us desc, job_id desc";
    }

    /** {@code needle} with the LIKE wildcards and the escape character escaped, to match itself literally. */
    static String escapeLike(String needle) {
        return needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
