package io.fraudscore.features.sketch;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Python's {@code repr(float)}: the shortest decimal that reads back as the same double (of those, the
 * nearest; of two as near, the one with an even last digit), as David Gay's dtoa mode 0 gives it, laid
 * out as CPython does: positional when the decimal point falls within 16 digits (with {@code .0} for a
 * whole number), otherwise {@code 1.5e-05}, {@code 1e+16}.
 *
 * <p>Java 17's {@link Double#toString} is not always the shortest (JDK-4511638), so it serves only as a
 * starting point: a decimal that reads back as x. Shortening then tries, one digit fewer at a time, the
 * truncation and the increment of the digits (if any decimal of that length reads back as x, one of those
 * two does, since the decimals that read back as x form an interval). For a normal x, at most one decimal
 * of up to 15 digits reads back as x (they are further apart than x's ulp); from 16 digits on, or for a
 * subnormal x (5e-324, where 4e-324 reads back too), two may, and the nearest is chosen exactly.
 */
final class FloatRepr {
    private static final int UNIQUE_DIGITS = 15;
    private static final long EXACT = 1L << 53;
    private static final double[] POWERS = new double[23]; // 10**0 .. 10**22, each a double exactly

    static {
        POWERS[0] = 1;
        for (int i = 1; i < POWERS.length; i++) {
            POWERS[i] = POWERS[i - 1] * 10;
        }
    }

    private FloatRepr() {}

    static void append(StringBuilder out, double x) {
        if (Double.isNaN(x)) {
            out.append("nan");
            return;
        }
        if (x < 0 || (x == 0 && 1 / x < 0)) {
            out.append('-');
            x = -x;
        }
        if (Double.isInfinite(x)) {
            out.append("inf");
        } else if (x == 0) {
            out.append("0.0");
        } else {
            shortest(out, x);
        }
    }

    /** Appends the shortest digits of a positive finite x, laid out. */
    private static void shortest(StringBuilder out, double x) {
        String start = Double.toString(x); // "12.34", "1.0E-5": at most 17 significant digits
        long digits = 0;
        int exponent = 0; // x reads as digits * 10**exponent
        int end = start.indexOf('E');
        if (end < 0) {
            end = start.length();
        } else {
            exponent = Integer.parseInt(start, end + 1, start.length(), 10);
        }
        boolean fraction = false;
        for (int i = 0; i < end; i++) {
            char c = start.charAt(i);
            if (c == '.') {
                fraction = true;
            } else {
                digits = 10 * digits + (c - '0');
                if (fraction) {
                    exponent--;
                }
            }
        }
        if (!readsBackAs(digits, exponent, x)) { // not expected of Double.toString; start from 17 exact digits
            BigDecimal exact = new BigDecimal(x).round(new MathContext(17, RoundingMode.HALF_EVEN));
            digits = exact.unscaledValue().longValueExact();
            exponent = -exact.scale();
        }
        while (digits % 10 == 0) {
            digits /= 10;
            exponent++;
        }
        while (digits >= 10) {
            long down = digits / 10;
            if (readsBackAs(down, exponent + 1, x)) {
                digits = down;
            } else if (readsBackAs(down + 1, exponent + 1, x)) {
                digits = down + 1;
            } else {
                break;
            }
            exponent++;
            while (digits % 10 == 0) {
                digits /= 10;
                exponent++;
            }
        }
        String text = Long.toString(digits);
        if (text.length() > UNIQUE_DIGITS || x < Double.MIN_NORMAL) {
            BigDecimal nearest = nearest(x, text.length()).stripTrailingZeros();
            text = nearest.unscaledValue().toString();
            exponent = -nearest.scale();
        }
        layOut(out, text, text.length() + exponent);
    }

    /** Whether digits * 10**exponent reads back as x (Clinger's exact fast path where it applies). */
    private static boolean readsBackAs(long digits, int exponent, double x) {
        if (digits <= EXACT && exponent >= -22 && exponent <= 22) {
            double d = (double) digits; // exact, as is the power: the one rounding is the * or /
            return (exponent >= 0 ? d * POWERS[exponent] : d / POWERS[-exponent]) == x;
        }
        return Double.parseDouble(digits + "E" + exponent) == x;
    }

    /** Of the decimals of {@code length} digits that read back as x, the nearest; ties to an even digit. */
    private static BigDecimal nearest(double x, int length) {
        BigDecimal exact = new BigDecimal(x);
        BigDecimal down = exact.round(new MathContext(length, RoundingMode.DOWN));
        BigDecimal up = exact.round(new MathContext(length, RoundingMode.UP));
        boolean downReads = down.doubleValue() == x;
        boolean upReads = up.doubleValue() == x;
        if (downReads && upReads) {
            int side = exact.subtract(down).compareTo(up.subtract(exact));
            if (side == 0) {
                return down.unscaledValue().testBit(0) ? up : down;
            }
            return side < 0 ? down : up;
        }
        return downReads ? down : up;
    }

    /** CPython's format_float_short for 'r' with Py_DTSF_ADD_DOT_0; x = 0.DIGITS * 10**point. */
    private static void layOut(StringBuilder out, String digits, int point) {
        int n = digits.length();
        if (point <= -4 || point > 16) {
            out.append(digits.charAt(0));
            if (n > 1) {
                out.append('.').append(digits, 1, n);
            }
            int exponent = point - 1;
            out.append(exponent < 0 ? "e-" : "e+");
            int magnitude = Math.abs(exponent);
            if (magnitude < 10) {
                out.append('0');
            }
            out.append(magnitude);
        } else if (point <= 0) {
            out.append("0.");
            for (int i = point; i < 0; i++) {
                out.append('0');
            }
            out.append(digits);
        } else if (point >= n) {
            out.append(digits);
            for (int i = n; i < point; i++) {
                out.append('0');
            }
            out.append(".0");
        } else {
            out.append(digits, 0, point).append('.').append(digits, point, n);
        }
    }
}
