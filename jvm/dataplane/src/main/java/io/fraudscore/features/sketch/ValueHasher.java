package io.fraudscore.features.sketch;

/**
 * Python's {@code int.from_bytes(blake2b(f"{type(x).__name__}:{x!r}".encode(), digest_size=8).digest(),
 * "big")}, with its buffers kept for the next value: one per thread, so hashing allocates nothing for
 * ints, strings and booleans (a float's repr still builds a few strings).
 */
final class ValueHasher {
    private static final ThreadLocal<ValueHasher> PER_THREAD = ThreadLocal.withInitial(ValueHasher::new);

    private final StringBuilder text = new StringBuilder(64);
    private final Blake2b blake = new Blake2b(8);
    private byte[] utf8 = new byte[256];

    static long hash(Object x) {
        return PER_THREAD.get().hashOf(x);
    }

    private long hashOf(Object x) {
        text.setLength(0);
        PythonRepr.appendTyped(text, x);
        int length = encode();
        blake.update(utf8, 0, length);
        return blake.digestFirst8();
    }

    /** UTF-8 of the repr. A repr escapes lone surrogates, so every surrogate here is half of a pair. */
    private int encode() {
        int n = text.length();
        if (utf8.length < 4 * n) {
            utf8 = new byte[Math.max(4 * n, 2 * utf8.length)];
        }
        byte[] b = utf8;
        int at = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                b[at++] = (byte) c;
            } else if (c < 0x800) {
                b[at++] = (byte) (0xC0 | c >>> 6);
                b[at++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c)) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                b[at++] = (byte) (0xF0 | cp >>> 18);
                b[at++] = (byte) (0x80 | ((cp >>> 12) & 0x3F));
                b[at++] = (byte) (0x80 | ((cp >>> 6) & 0x3F));
                b[at++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                b[at++] = (byte) (0xE0 | c >>> 12);
                b[at++] = (byte) (0x80 | ((c >>> 6) & 0x3F));
                b[at++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return at;
    }
}
