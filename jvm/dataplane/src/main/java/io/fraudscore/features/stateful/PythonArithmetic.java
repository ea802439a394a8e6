package io.fraudscore.features.stateful;

/**
 * The few places where Python's mixed int and float arithmetic differs from Java's, so the stateful
 * functions give the same floats: an int meeting a float is rounded to the nearest double (an int divided
 * by an int is value.Exact's, rounded once).
 */
final class PythonArithmetic {
    private PythonArithmetic() {}

    /** A Long or Double as a float, the way Python converts an int for float arithmetic (nearest). */
    static double asDouble(Object x) {
        return x instanceof Long l ? (double) l.longValue() : ((Double) x).doubleValue();
    }

    /** NaN and infinities become null. */
    static Double finite(double x) {
        return Double.isFinite(x) ? x : null;
    }

    /** A value the plan accepts for a stateful function: an integer or a finite float. */
    static Object checkNumber(Object x) {
        if (x instanceof Long || x instanceof Double) {
            return x;
        }
        throw new IllegalArgumentException("a stateful function takes a Long or a Double, not " + x);
    }
}
