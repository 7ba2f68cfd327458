package org.sidekiqsupervisor.sidekiq;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.sidekiqsupervisor.InvalidInputException;

/**
 * One entry of a sorted set as Sidekiq's Web UI names it in its URLs and forms: {@code <score>-<jid>}
 * ({@code /retries/1795887460.5-6ff39ff4f63d45c927edec6}). The score and the jid together name the exact entry shown:
 * once Sidekiq retries the job and it fails again, the new entry has a new score, so an action on the old key finds
 * nothing instead of acting on an entry nobody saw.
 *
 * @param score the set's score (float epoch seconds)
 * @param jid   the job's id
 */
public record SidekiqEntryKey(double score, String jid) {
    private static final Pattern KEY = Pattern.compile("([0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)-([A-Za-z0-9_-]{1,64})");
    /** A number then a dash: what tells a key from a bare jid (Sidekiq's jids are hex, never a number and a dash). */
    private static final Pattern LOOKS_LIKE_KEY = Pattern.compile("[0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?-.*");

    /** Whether {@code text} is meant as a key rather than a bare jid. */
    public static boolean looksLikeKey(String text) {
        return text != null && LOOKS_LIKE_KEY.matcher(text).matches();
    }

    /**
     * Reads {@code <score>-<jid>}.
     *
     * @throws InvalidInputException naming {@code key} when it is not one
     */
    public static SidekiqEntryKey parse(String text) {
        Matcher matcher = text == null ? null : KEY.matcher(text);
        if (matcher == null || !matcher.matches()) {
            throw new InvalidInputException("key", "the entry key must be <score>-<jid>, as 1795887460.5-6ff39ff4f63d45c927edec6"
                    + " (got " + InvalidInputException.quote(text) + ")");
        }
        double score = Double.parseDouble(matcher.group(1));
        if (Double.isInfinite(score)) {
            throw new InvalidInputException("key", "the score of " + InvalidInputException.quote(text) + " is out of range");
        }
        return new SidekiqEntryKey(score, matcher.group(2));
    }

    /** The key of an entry read from a set, or null when it has no score or no jid. */
    public static SidekiqEntryKey of(SidekiqJob entry) {
        return entry.score() == null || entry.jid() == null ? null : new SidekiqEntryKey(entry.score(), entry.jid());
    }

    /**
     * A score as Ruby prints a Float ({@code 1795887460.5}, {@code 1795887460.0}): plain digits, never an exponent, and
     * the shortest text that reads back as the same double, so Redis finds the entry by it.
     */
    public static String scoreText(double score) {
        String plain = BigDecimal.valueOf(score).toPlainString();
        return plain.indexOf('.') < 0 ? plain + ".0" : plain;
    }

    /** {@code <score>-<jid>}. */
    @Override
    public String toString() {
        return scoreText(score) + "-" + jid;
    }
}
