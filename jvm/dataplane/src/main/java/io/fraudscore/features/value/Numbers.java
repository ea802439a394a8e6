package io.fraudscore.features.value;

/**
 * Python's view of the engine's numbers ({@code Long} for int, finite {@code Double} for float, and
 * {@code Boolean}, which Python counts as the int 1 or 0 where it orders or hashes): exact int/float
 * ordering, code-point string ordering, and dict-key equality ({@code 1 == 1.0 == True}).
 */
public final class Numbers {
    private static final double TWO_POW_63 = 9.223372036854775808E18;

    private Numbers() {}

    /** A {@code Long} or a finite {@code Double}; a Boolean is not a number here (the DSL's arithmetic). */
    public static boolean isNumber(Object x) {
        return x instanceof Long || x instanceof Double d && Double.isFinite(d);
    }

    /** Python's {@code float(x)} of a Long, Double or Boolean: a Long rounds to the nearest double. */
    public static double toDouble(Object x) {
        if (x instanceof Double d) {
            return d;
        }
        if (x instanceof Long l) {
            return l;
        }
        if (x instanceof Boolean b) {
            return b ? 1.0 : 0.0;
        }
        throw new IllegalArgumentException("not a number: " + describe(x));
    }

    /**
     * Python's ordering of two numbers (Long, Double; a Boolean as 1 or 0), an int and a float compared
     * exactly, {@code -0.0 == 0.0}; or of two Strings, by code point (not by UTF-16 unit, which puts
     * U+E000..U+FFFF after the surrogate pairs). IllegalArgumentException for a string against a number,
     * which Python refuses to order.
     */
    public static int compare(Object a, Object b) {
        if (a instanceof String s && b instanceof String t) {
            return compareCodePoints(s, t);
        }
        if (a instanceof Double x) {
            if (b instanceof Double y) {
                return x < y ? -1 : x > y ? 1 : 0;
            }
            return -compareExact(integer(b), x);
        }
        if (b instanceof Double y) {
            return compareExact(integer(a), y);
        }
        return Long.compare(integer(a), integer(b));
    }

    /**
     * A stand-in whose {@code equals} and {@code hashCode} are Python's {@code ==} and {@code hash} for dict
     * keys: a Boolean becomes Long 1 or 0, an integral Double in the long range becomes that Long (so
     * {@code -0.0}, {@code 0.0}, {@code 0L} and {@code false} are one key), anything else stays as it is.
     */
    public static Object key(Object x) {
        if (x instanceof String) {
            return x; // the usual id: first, and no more tests
        }
        if (x instanceof Double d) {
            double v = d;
            if (v == Math.rint(v) && v >= -TWO_POW_63 && v < TWO_POW_63) {
                return (long) v;
            }
            return d;
        }
        if (x instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        return x;
    }

    private static long integer(Object x) {
        if (x instanceof Long l) {
            return l;
        }
        if (x instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        throw new IllegalArgumentException("cannot order " + describe(x) + " against a number");
    }

    /** An int against a float, exactly (Python does not round the int to a float first). */
    private static int compareExact(long a, double b) {
        if (b >= TWO_POW_63) {
            return -1;
        }
        if (b < -TWO_POW_63) {
            return 1;
        }
        long whole = (long) b; // |b| < 2^63: truncation is exact, the fraction b - whole too
        if (a != whole) {
            return Long.compare(a, whole);
        }
        double fraction = b - whole;
        return fraction > 0 ? -1 : fraction < 0 ? 1 : 0;
    }

    private static int compareCodePoints(String s, String t) {
        int n = Math.min(s.length(), t.length());
        int i = 0;
        while (i < n && s.charAt(i) == t.charAt(i)) {
            i++;
        }
        if (i == n) {
            return Integer.compare(s.length(), t.length());
        }
        // The first difference may be the low half of a pair whose high half both share: the code points
        // then start one unit back.
        if (i > 0 && Character.isHighSurrogate(s.charAt(i - 1))
                && (Character.isLowSurrogate(s.charAt(i)) || Character.isLowSurrogate(t.charAt(i)))) {
            i--;
        }
        return Integer.compare(s.codePointAt(i), t.codePointAt(i));
    }

    private static String describe(Object x) {
        return x == null ? "null" : x.getClass().getSimpleName() + " " + x;
    }
}
