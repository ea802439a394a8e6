package io.fraudscore.features.aggregate;

import io.fraudscore.features.value.Exact;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/**
 * The aggregates by brute force over a window's values, written apart from the accumulators (no
 * {@code Numbers}, no {@code Rounding}): Python's arithmetic spelt out with BigInteger, BigDecimal and
 * {@link Exact#divide}. What the contract holds every accumulator to.
 */
final class NaiveAggregates {
    private NaiveAggregates() {}

    /** The answer of {@code result(function, current, include)} for an accumulator holding {@code window}. */
    static Object answer(AggregateFunction function, List<Object> window, int historyK, Object current,
                         boolean include) {
        boolean plus = include && current != null;
        return switch (function) {
            case COUNT -> (long) window.size() + (plus ? 1 : 0);
            case DISTINCT -> distinct(window, plus ? current : null);
            case MIN, MAX -> extreme(function == AggregateFunction.MIN, window, current, plus);
            case FIRST -> !window.isEmpty() ? window.get(0) : include ? current : null;
            case LAST -> plus ? current : window.isEmpty() ? null : window.get(window.size() - 1);
            default -> moments(function, window, historyK, current, plus);
        };
    }

    /**
     * The finest binary place of x: the log2 of as_integer_ratio's denominator, which is also the number of
     * decimal places of its exact value (m / 2^p = m · 5^p / 10^p, m odd).
     */
    static int places(Object x) {
        return x instanceof Double d ? Math.max(0, new BigDecimal(d).stripTrailingZeros().scale()) : 0;
    }

    /** Whether stddev takes _std's isqrt branch with a spread above 0 (its result then depends on k). */
    static boolean rootPath(List<Object> window, int historyK, Object current, boolean plus) {
        Object variance = moments(AggregateFunction.VAR, window, historyK, current, plus);
        return variance instanceof Double v && v <= 1e-290 && v >= 0
                && !window.isEmpty() && spread(window, historyK, current, plus).signum() != 0;
    }

    private static Object moments(AggregateFunction function, List<Object> window, int historyK, Object current,
                                  boolean plus) {
        int k = historyK;
        long n = window.size() + (plus ? 1 : 0);
        if (plus) {
            k = Math.max(k, places(current));
        }
        if (n == 0) {
            return function == AggregateFunction.SUM ? (Object) 0L : null;
        }
        BigInteger s = BigInteger.ZERO;
        for (Object x : values(window, current, plus)) {
            s = s.add(units(x, k));
        }
        BigInteger count = BigInteger.valueOf(n);
        BigInteger scale = BigInteger.ONE.shiftLeft(k);
        if (function == AggregateFunction.SUM) {
            return finite(Exact.divide(s, scale));
        }
        if (function == AggregateFunction.AVG) {
            return finite(Exact.divide(s, count.multiply(scale)));
        }
        BigInteger spread = spread(window, historyK, current, plus);
        Double variance = finite(Exact.divide(spread, count.multiply(count).shiftLeft(2 * k)));
        if (function == AggregateFunction.VAR || variance == null) {
            return variance;
        }
        Double std = variance > 1e-290 ? Double.valueOf(Math.sqrt(variance))
                : finite(Exact.divide(spread.shiftLeft(128).sqrt(), count.multiply(scale).shiftLeft(64)));
        if (function == AggregateFunction.STDDEV) {
            return std;
        }
        Double mean = finite(Exact.divide(s, count.multiply(scale)));
        if (current == null || std == null || std == 0 || mean == null) {
            return null;
        }
        double c = current instanceof Long l ? l : (Double) current;
        double z = (c - mean) / std;
        return Double.isFinite(z) ? z : null;
    }

    private static BigInteger spread(List<Object> window, int historyK, Object current, boolean plus) {
        int k = plus ? Math.max(historyK, places(current)) : historyK;
        BigInteger s = BigInteger.ZERO;
        BigInteger q = BigInteger.ZERO;
        for (Object x : values(window, current, plus)) {
            BigInteger u = units(x, k);
            s = s.add(u);
            q = q.add(u.multiply(u));
        }
        return BigInteger.valueOf(window.size() + (plus ? 1 : 0)).multiply(q).subtract(s.multiply(s));
    }

    private static List<Object> values(List<Object> window, Object current, boolean plus) {
        if (!plus) {
            return window;
        }
        List<Object> all = new java.util.ArrayList<>(window);
        all.add(current);
        return all;
    }

    /** x · 2^k, exactly an integer when k is at least x's places. */
    private static BigInteger units(Object x, int k) {
        BigDecimal exact = x instanceof Long l ? BigDecimal.valueOf(l) : new BigDecimal((Double) x);
        return exact.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(k))).toBigIntegerExact();
    }

    private static Double finite(double x) {
        return Double.isInfinite(x) ? null : x;
    }

    private static long distinct(List<Object> window, Object extra) {
        List<Object> all = new java.util.ArrayList<>(window);
        if (extra != null) {
            all.add(extra);
        }
        long count = 0;
        for (int i = 0; i < all.size(); i++) {
            boolean seen = false;
            for (int j = 0; j < i && !seen; j++) {
                seen = pythonEquals(all.get(i), all.get(j));
            }
            count += seen ? 0 : 1;
        }
        return count;
    }

    /** The window's extreme: the newest of equal extremes (the deque keeps that one), then Python's min/max. */
    private static Object extreme(boolean smallest, List<Object> window, Object current, boolean plus) {
        Object best = null;
        for (Object x : window) {
            if (best == null || (smallest ? order(x, best) <= 0 : order(x, best) >= 0)) {
                best = x;
            }
        }
        if (!plus) {
            return best;
        }
        if (best == null) {
            return current;
        }
        int c = order(current, best);
        return (smallest ? c < 0 : c > 0) ? current : best;
    }

    static boolean pythonEquals(Object a, Object b) {
        if (a instanceof String || b instanceof String) {
            return a.equals(b);
        }
        return exact(a).compareTo(exact(b)) == 0;
    }

    static int order(Object a, Object b) {
        if (a instanceof String s && b instanceof String t) {
            int[] x = s.codePoints().toArray();
            int[] y = t.codePoints().toArray();
            return java.util.Arrays.compare(x, y);
        }
        return exact(a).compareTo(exact(b));
    }

    private static BigDecimal exact(Object x) {
        if (x instanceof Boolean b) {
            return b ? BigDecimal.ONE : BigDecimal.ZERO;
        }
        return x instanceof Long l ? BigDecimal.valueOf(l) : new BigDecimal((Double) x);
    }
}
