package io.fraudscore.features.stateful;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads the golden files that make_stateful_golden.py writes from the Python engine (the stateful,
 * sketch and tiles tests share it).
 */
public final class Golden {
    private Golden() {}

    public static List<String> lines(String resource) throws IOException {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + resource)) {
            if (in == null) {
                throw new IOException("missing golden file " + resource + "; run make_stateful_golden.py");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    /** One value as the script encodes it: {@code -}, {@code i:}, {@code f:} (float.hex), {@code b:}, {@code s:}. */
    public static Object value(String text) {
        if (text.equals("-")) {
            return null;
        }
        String body = text.substring(2);
        return switch (text.charAt(0)) {
            case 'i' -> Long.parseLong(body);
            case 'f' -> Double.parseDouble(body);
            case 'b' -> Boolean.parseBoolean(body);
            case 's' -> unescape(body);
            default -> throw new IllegalArgumentException("bad golden value " + text);
        };
    }

    /** Python's {@code unicode_escape} decoding: x, u and U hex escapes, t, n, r, quotes and backslash. */
    public static String unescape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char kind = text.charAt(++i);
            int width = switch (kind) {
                case 'x' -> 2;
                case 'u' -> 4;
                case 'U' -> 8;
                default -> 0;
            };
            if (width > 0) {
                out.appendCodePoint(Integer.parseInt(text, i + 1, i + 1 + width, 16));
                i += width;
            } else {
                out.append(switch (kind) {
                    case 't' -> '\t';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case '\\' -> '\\';
                    case '\'' -> '\'';
                    case '"' -> '"';
                    default -> throw new IllegalArgumentException("bad escape in " + text);
                });
            }
        }
        return out.toString();
    }
}
