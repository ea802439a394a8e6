package io.fraudscore.features.aggregate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Replays golden/moments_golden.txt, Python's own Moments answers (golden/make_moments_golden.py says how
 * to regenerate it), and demands the same results bit for bit: from the accumulator a plan shares, from the
 * one it makes for an aggregate alone, and from the BigInteger-only reference.
 */
class MomentsGoldenTest {
    private static final AggregateFunction[] ORDER = {AggregateFunction.COUNT, AggregateFunction.SUM,
        AggregateFunction.AVG, AggregateFunction.VAR, AggregateFunction.STDDEV, AggregateFunction.ZSCORE};

    @Test
    void everyResultIsPythons() throws IOException {
        int queries = 0;
        String name = "";
        List<Moments> full = List.of();
        Moments count = null;
        Moments sums = null;
        ArrayDeque<Object> window = new ArrayDeque<>();
        long seq = 0;
        for (String line : lines()) {
            String[] t = line.split(" ");
            switch (t[0]) {
                case "#" -> { }
                case "C" -> {
                    name = t[1];
                    full = List.of(new Moments(true, true), new Moments(true, true, true));
                    count = (Moments) Accumulators.create(Family.MOMENTS, EnumSet.of(AggregateFunction.COUNT));
                    sums = (Moments) Accumulators.create(Family.MOMENTS,
                            EnumSet.of(AggregateFunction.SUM, AggregateFunction.AVG));
                    window.clear();
                }
                case "A" -> {
                    Object x = value(t[1]);
                    for (Moments m : all(full, count, sums)) {
                        m.add(seq, x);
                    }
                    window.add(x);
                    seq++;
                }
                case "R" -> {
                    Object x = window.poll();
                    for (Moments m : all(full, count, sums)) {
                        m.remove(seq, x);
                    }
                }
                case "M" -> {
                    int sign = Integer.parseInt(t[1]);
                    for (Moments m : all(full, count, sums)) {
                        Moments other = new Moments(true, true);
                        for (int i = 2; i < t.length; i++) {
                            other.add(i, value(t[i]));
                        }
                        m.merge(other, sign);
                    }
                    for (int i = 2; i < t.length; i++) {
                        if (sign > 0) {
                            window.add(value(t[i]));
                        } else {
                            window.poll();
                        }
                    }
                }
                case "Q" -> {
                    Object current = value(t[1]);
                    boolean include = t[2].equals("1");
                    for (int f = 0; f < ORDER.length; f++) {
                        Object expected = value(t[3 + f]);
                        String where = name + ": " + ORDER[f] + " at line «" + line + "»";
                        for (Moments m : full) {
                            AggregatorContractTest.assertSame(expected, m.result(ORDER[f], current, include), () -> where);
                        }
                        Moments alone = ORDER[f] == AggregateFunction.COUNT ? count
                                : ORDER[f] == AggregateFunction.SUM || ORDER[f] == AggregateFunction.AVG ? sums : null;
                        if (alone != null) {
                            AggregatorContractTest.assertSame(expected, alone.result(ORDER[f], current, include),
                                    () -> "alone, " + where);
                        }
                        queries++;
                    }
                }
                default -> throw new IllegalStateException("bad golden line: " + line);
            }
        }
        assertTrue(queries > 5000, "the golden file holds " + queries + " answers");
    }

    private static List<Moments> all(List<Moments> full, Moments count, Moments sums) {
        List<Moments> all = new ArrayList<>(full);
        all.add(count);
        all.add(sums);
        return all;
    }

    private static Object value(String token) {
        return switch (token.charAt(0)) {
            case 'n' -> null;
            case 'i' -> Long.parseLong(token.substring(1));
            case 'f' -> Double.parseDouble(token.substring(1));
            default -> throw new IllegalStateException("bad golden value " + token);
        };
    }

    private static List<String> lines() throws IOException {
        InputStream in = Objects.requireNonNull(MomentsGoldenTest.class.getResourceAsStream("/golden/moments_golden.txt"),
                "golden/moments_golden.txt is missing");
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().toList();
        }
    }
}
