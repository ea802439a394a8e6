package io.fraudscore.features.sketch;

/**
 * Python's {@code f"{type(x).__name__}:{x!r}"} for the engine's values (str, int, float, bool), the text
 * whose BLAKE2b hash places a value in a sketch, so a sketch means the same in Python and in Java.
 */
public final class PythonRepr {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private PythonRepr() {}

    /** {@code "str:'a'"}, {@code "int:5"}, {@code "float:12.34"}, {@code "bool:True"}. */
    public static String typed(Object x) {
        StringBuilder out = new StringBuilder(24);
        appendTyped(out, x);
        return out.toString();
    }

    static void appendTyped(StringBuilder out, Object x) {
        if (x instanceof String s) {
            appendString(out.append("str:"), s);
        } else if (x instanceof Long l) {
            out.append("int:").append(l.longValue());
        } else if (x instanceof Double d) {
            FloatRepr.append(out.append("float:"), d);
        } else if (x instanceof Boolean b) {
            out.append(b ? "bool:True" : "bool:False");
        } else {
            throw new IllegalArgumentException("no Python repr for " + (x == null ? "null" : x.getClass()));
        }
    }

    /** Python 3.11's {@code repr(str)}: its choice of quotes and its escapes. */
    static void appendString(StringBuilder out, String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        out.append(quote);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == quote || c == '\\') {
                out.append('\\').append((char) c);
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c < ' ' || c == 0x7F) {
                hex(out.append("\\x"), c, 2);
            } else if (c < 0x7F || Printable.isPrintable(c)) {
                out.appendCodePoint(c);
            } else if (c <= 0xFF) {
                hex(out.append("\\x"), c, 2);
            } else if (c <= 0xFFFF) {
                hex(out.append("\\u"), c, 4);
            } else {
                hex(out.append("\\U"), c, 8);
            }
        }
        out.append(quote);
    }

    private static void hex(StringBuilder out, int c, int width) {
        for (int shift = 4 * (width - 1); shift >= 0; shift -= 4) {
            out.append(HEX[(c >>> shift) & 0xF]);
        }
    }
}
