package io.fraudscore.features.value;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * DSL.md's scalar semantics on the engine's values ({@code Long}, finite {@code Double}, {@code String},
 * {@code Boolean}, null, or an opaque JSON value an event carried where an id belongs): nulls propagate,
 * division by zero, NaN and infinities become null, an integer result outside 64 bits is null, comparisons
 * with a null side are false while {@code ==} and {@code !=} treat null as a value. Python's reference
 * engine (dsl/evaluate.py, dsl/compiler.py) defines every corner; each method says where Python's
 * behaviour is kept on purpose (bool is not a number in arithmetic, but is 1 or 0 in an ordering).
 */
public final class Scalars {
    private Scalars() {}

    /** A value as an event field or an input reads it: NaN and infinities become null. */
    public static Object finite(Object x) {
        return x instanceof Double d && !Double.isFinite(d) ? null : x;
    }

    public static Object finite(double x) {
        return Double.isFinite(x) ? x : null;
    }

    /** {@code + - * / %}: null unless both sides are numbers (a Boolean is not one). */
    public static Object arithmetic(char op, Object left, Object right) {
        if (left instanceof Long a && right instanceof Long b) {
            return integers(op, a, b);
        }
        if (!Numbers.isNumber(left) || !Numbers.isNumber(right)) {
            return null;
        }
        double a = Numbers.toDouble(left);
        double b = Numbers.toDouble(right);
        return switch (op) {
            case '+' -> finite(a + b);
            case '-' -> finite(a - b);
            case '*' -> finite(a * b);
            case '/' -> b == 0 ? null : finite(a / b);
            case '%' -> b == 0 ? null : finite(pythonRemainder(a, b));
            default -> throw new IllegalArgumentException("not an arithmetic operator: " + op);
        };
    }

    private static Object integers(char op, long a, long b) {
        try {
            return switch (op) {
                case '+' -> Math.addExact(a, b);
                case '-' -> Math.subtractExact(a, b);
                case '*' -> Math.multiplyExact(a, b);
                case '/' -> b == 0 ? null : Exact.divide(a, b);
                case '%' -> b == 0 ? null : Math.floorMod(a, b);
                default -> throw new IllegalArgumentException("not an arithmetic operator: " + op);
            };
        } catch (ArithmeticException overflow) {
            return null; // outside 64 bits: null, as Python's reference engine says
        }
    }

    /** Python's float %: the result takes the sign of the divisor. */
    static double pythonRemainder(double a, double b) {
        double mod = a % b;
        if (mod != 0) {
            if ((b < 0) != (mod < 0)) {
                mod += b;
            }
        } else {
            mod = Math.copySign(0.0, b);
        }
        return mod;
    }

    /** Unary minus: {@code 0 - x}, as Python's reference computes it (so {@code -0.0} stays {@code 0.0}). */
    public static Object negate(Object x) {
        return arithmetic('-', 0L, x);
    }

    /** Timestamp minus timestamp, in seconds. */
    public static Object secondsBetween(Object later, Object earlier) {
        Object difference = arithmetic('-', later, earlier);
        return difference == null ? null : Numbers.toDouble(difference) / 1000.0;
    }

    /** {@code ==}: null is a value; numbers compare by value (1 == 1.0 == true, as in Python). */
    public static boolean same(Object left, Object right) {
        return Objects.equals(Numbers.key(left), Numbers.key(right));
    }

    /** {@code < <= > >=}: false with a null side or values that do not order (a string and a number). */
    public static boolean order(String op, Object left, Object right) {
        Object a = orderable(left);
        Object b = orderable(right);
        if (a == null || b == null || (a instanceof String) != (b instanceof String)) {
            return false;
        }
        int c = Numbers.compare(a, b);
        return switch (op) {
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            case ">=" -> c >= 0;
            default -> throw new IllegalArgumentException("not a comparison: " + op);
        };
    }

    private static Object orderable(Object x) {
        if (x instanceof Boolean b) {
            return b ? 1L : 0L; // Python orders a bool as the integer it is
        }
        return x instanceof String || Numbers.isNumber(x) ? x : null;
    }

    /** {@code and} over true, false and null (Kleene: null is unknown). */
    public static Boolean and(Object left, Object right) {
        if (Boolean.FALSE.equals(left) || Boolean.FALSE.equals(right)) {
            return false;
        }
        return left == null || right == null ? null : Boolean.TRUE;
    }

    /** {@code or} over true, false and null. */
    public static Boolean or(Object left, Object right) {
        if (Boolean.TRUE.equals(left) || Boolean.TRUE.equals(right)) {
            return true;
        }
        return left == null || right == null ? null : Boolean.FALSE;
    }

    /** {@code not}: null stays null; otherwise Python's truthiness (0, 0.0 and "" are false). */
    public static Boolean not(Object x) {
        if (x == null) {
            return null;
        }
        return !truthy(x);
    }

    private static boolean truthy(Object x) {
        if (x instanceof Boolean b) {
            return b;
        }
        if (x instanceof Long n) {
            return n != 0;
        }
        if (x instanceof Double d) {
            return d != 0;
        }
        if (x instanceof String s) {
            return !s.isEmpty();
        }
        return true;
    }

    /** {@code x in (a, b, ...)}: false for null. */
    public static boolean in(Object x, Object[] options) {
        if (x == null) {
            return false;
        }
        for (Object option : options) {
            if (same(x, option)) {
                return true;
            }
        }
        return false;
    }

    /** {@code nullif(a, b)}. */
    public static Object nullif(Object a, Object b) {
        return same(a, b) ? null : a;
    }

    /** {@code abs}, {@code log}, {@code exp}, {@code sqrt}: a Boolean counts as 1 or 0 here, as in Python. */
    public static Object math(String function, Object x) {
        Object n = x instanceof Boolean b ? (b ? 1L : 0L) : x;
        if (!Numbers.isNumber(n)) {
            return null;
        }
        if (function.equals("abs")) {
            if (n instanceof Long l) {
                return l == Long.MIN_VALUE ? null : Math.abs(l);
            }
            return Math.abs((Double) n);
        }
        double d = Numbers.toDouble(n);
        return switch (function) {
            case "log" -> d > 0 ? finite(Math.log(d)) : null;
            case "exp" -> finite(Math.exp(d));
            case "sqrt" -> d >= 0 ? finite(Math.sqrt(d)) : null;
            default -> throw new IllegalArgumentException("not a math function: " + function);
        };
    }

    /** {@code round(x, n)}: to the nearest multiple of 10^-n of x's exact value, ties to even, as Python. */
    public static Object round(Object x, Object digits) {
        if (!Numbers.isNumber(x) || !Numbers.isNumber(digits)) {
            return null;
        }
        double value = Numbers.toDouble(x);
        double places = Numbers.toDouble(digits);
        long n = (long) places; // Python's int(): toward zero
        if (n > 400) {
            return value; // finer than any double's digits
        }
        if (n < -400) {
            return Math.copySign(0.0, value);
        }
        double rounded = new BigDecimal(value).setScale((int) n, RoundingMode.HALF_EVEN).doubleValue();
        if (!Double.isFinite(rounded)) {
            return null;
        }
        return rounded == 0 ? Math.copySign(0.0, value) : rounded;
    }

    /** {@code lower}/{@code upper} of a string; null for anything else. */
    public static Object text(String function, Object x) {
        if (!(x instanceof String s)) {
            return null;
        }
        return function.equals("lower") ? s.toLowerCase(java.util.Locale.ROOT) : s.toUpperCase(java.util.Locale.ROOT);
    }

    /** Scalar {@code min(a, b)} / {@code max(a, b)}: two numbers or two strings, else null; a tie keeps a. */
    public static Object extreme(boolean smallest, Object a, Object b) {
        boolean numbers = Numbers.isNumber(a) && Numbers.isNumber(b);
        boolean strings = a instanceof String && b instanceof String;
        if (!numbers && !strings) {
            return null;
        }
        int c = Numbers.compare(b, a);
        return (smallest ? c < 0 : c > 0) ? b : a;
    }
}
