package org.sidekiqsupervisor.sidekiq;

import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

import org.sidekiqsupervisor.InvalidInputException;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.resps.Tuple;

/**
 * Reads a sorted set in its listing order a chunk at a time (one bounded {@code ZRANGE ... BYSCORE LIMIT} per chunk,
 * never the whole set in one command), from a position kept as a score and how many entries of that score were read
 * already: entries Sidekiq adds or takes meanwhile shift no position, unlike an index. With a filter, only the entries
 * holding it are parsed and passed on; the others are read past and counted.
 */
final class SetReader {
    private final Function<Function<Jedis, Object>, Object> redis;
    private final SidekiqSet set;
    private final int chunk;
    private final String filter;
    private Double score;
    private long scanned;
    private int skip;
    private boolean ended;

    /** A reader of every entry. */
    SetReader(Function<Function<Jedis, Object>, Object> redis, SidekiqSet set, int chunk, String cursor) {
        this(redis, set, chunk, cursor, null);
    }

    /** A reader of the entries whose stored text holds {@code filter} (null or empty: every entry). */
    SetReader(Function<Function<Jedis, Object>, Object> redis, SidekiqSet set, int chunk, String cursor, String filter) {
        this.redis = redis;
        this.set = set;
        this.chunk = chunk;
        this.filter = filter == null || filter.isEmpty() ? null : filter;
        if (cursor != null && !cursor.isEmpty()) {
            int tilde = cursor.lastIndexOf('~');
            try {
                score = Double.valueOf(cursor.substring(0, tilde));
                skip = Integer.parseInt(cursor.substring(tilde + 1));
            } catch (RuntimeException e) {
                throw new InvalidInputException("cursor", "cursor is not one this API returned");
            }
            if (skip < 0 || score.isNaN()) {
                throw new InvalidInputException("cursor", "cursor is not one this API returned");
            }
        }
    }

    /** Whether the set has ended. */
    boolean ended() {
        return ended;
    }

    /** How many entries this reader has read, matching its filter or not. */
    long scanned() {
        return scanned;
    }

    /** Where the reader is now, as a cursor. */
    String cursor() {
        return score == null ? null : score + "~" + skip;
    }

    /**
     * Reads the next chunk, passing each entry to {@code sink} until it answers false; the position then stays right
     * after the last entry passed.
     *
     * @return false when the sink stopped or the set ended
     */
    boolean next(Predicate<SidekiqJob> sink) {
        if (ended) {
            return false;
        }
        @SuppressWarnings("unchecked")
        List<Tuple> entries = (List<Tuple>) redis.apply(jedis -> {
            String from = score == null ? (set.ascending() ? "-inf" : "+inf") : score.toString();
            return set.ascending()
                    ? jedis.zrangeByScoreWithScores(set.key(), from, "+inf", skip, chunk)
                    : jedis.zrevrangeByScoreWithScores(set.key(), from, "-inf", skip, chunk);
        });
        boolean last = entries.size() < chunk;
        for (int i = 0; i < entries.size(); i++) {
            Tuple entry = entries.get(i);
            scanned++;
            // Parsing is most of a filtered page's cost: only the entries that hold the filter are parsed.
            boolean more = filter != null && !entry.getElement().contains(filter)
                    || sink.test(SidekiqJob.parse(entry.getElement(), entry.getScore()));
            advance(entry.getScore());
            if (!more) {
                ended = last && i == entries.size() - 1;
                return false;
            }
        }
        ended = last;
        return !last;
    }

    private void advance(double entryScore) {
        if (score != null && score == entryScore) {
            skip++;
        } else {
            score = entryScore;
            skip = 1;
        }
    }
}
