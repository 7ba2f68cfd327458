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

    /**
     * As {@link #argumentsContain(String, String)}, with the trigram index asked only for {@code rareRuns}: runs of the
     * needle (as {@link #trigramRuns} gives them, in the needle's own case) that few jobs' arguments hold. The needle is
     * then checked on the rows those runs give. Asked for the whole needle, the index reads the list of every one of its
     * trigrams, and a needle such as {@code user4242@} has trigrams ({@code use}, {@code ser}) that every job's
     * arguments hold: at 10M jobs it read 8,287 index pages for 119 candidates (62 ms); asked for its three rarest
     * runs, 75 pages (4 ms). Each run is a substring of the needle, so every job the needle matches holds it; the
     * fence ({@code offset 0}) keeps the planner from handing the needle's own LIKE to the index as well.
     */
    JobConditions argumentsContain(String needle, String argumentsTable, List<String> rareRuns) {
        if (needle == null || argumentsTable == null || rareRuns.isEmpty()) {
            return argumentsContain(needle, argumentsTable);
        }
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < rareRuns.size(); i++) {
            // Letters and digits only, so nothing to escape: and a second escape '\' in one statement would throw JDBI's parser.
            runs.add("arguments like :rare_run_" + i);
            bindings.put("rare_run_" + i, "%" + rareRuns.get(i) + "%");
        }
        clauses.add("job_id in (select job_id from (select job_id, arguments from " + argumentsTable + " where "
                + String.join(" and ", runs) + " offset 0) candidates where arguments like :arguments_like escape '\\')");
        bindings.put("arguments_like", "%" + escapeLike(needle) + "%");
        return this;
    }

    /** The most runs of a needle {@link #trigramRuns} gives: a long needle's are taken evenly from along it. */
    static final int MAX_RUNS = 24;

    /**
     * The distinct runs of three characters of {@code needle} that the trigram index can be asked for: ASCII letters and
     * digits only (pg_trgm splits words at anything else, and which other characters count as letters depends on the
     * database's locale); at most {@link #MAX_RUNS}, in the needle's own case.
     */
    static List<String> trigramRuns(String needle) {
        java.util.LinkedHashSet<String> runs = new java.util.LinkedHashSet<>();
        for (int i = 0; i + 3 <= needle.length(); i++) {
            String run = needle.substring(i, i + 3);
            if (run.chars().allMatch(c -> c < 128 && Character.isLetterOrDigit(c))) {
                runs.add(run);
            }
        }
        List<String> all = List.copyOf(runs);
        if (all.size() <= MAX_RUNS) {
            return all;
        }
        List<String> spread = new ArrayList<>();
        for (int i = 0; i < MAX_RUNS; i++) {
            spread.add(all.get(i * all.size() / MAX_RUNS));
        }
        return spread;
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
