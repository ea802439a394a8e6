package io.fraudscore.features.sketch;

import java.util.Arrays;

/**
 * BLAKE2b (RFC 7693), unkeyed, with any digest size from 1 to 64 bytes: the same bytes as Python's
 * {@code hashlib.blake2b(data, digest_size=n)}. Reusable: {@link #digest} resets it for the next message.
 * Not thread-safe.
 */
public final class Blake2b {
    private static final int BLOCK = 128;
    private static final long[] IV = {
        0x6a09e667f3bcc908L, 0xbb67ae8584caa73bL, 0x3c6ef372fe94f82bL, 0xa54ff53a5f1d36f1L,
        0x510e527fade682d1L, 0x9b05688c2b3e6c1fL, 0x1f83d9abfb41bd6bL, 0x5be0cd19137e2179L,
    };
    private static final byte[][] SIGMA = {
        {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
        {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
        {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
        {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
        {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
        {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
        {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
        {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
        {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
        {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    };

    private final int digestSize;
    private final long[] h = new long[8];
    private final long[] words = new long[16];
    private final byte[] buffer = new byte[BLOCK];
    private int buffered;
    private long countLow; // bytes compressed so far, a 128-bit counter
    private long countHigh;

    public Blake2b(int digestSize) {
        if (digestSize < 1 || digestSize > 64) {
            throw new IllegalArgumentException("BLAKE2b digests are 1 to 64 bytes, not " + digestSize);
        }
        this.digestSize = digestSize;
        reset();
    }

    /** The digest of {@code data} in one call. */
    public static byte[] hash(byte[] data, int digestSize) {
        Blake2b b = new Blake2b(digestSize);
        b.update(data, 0, data.length);
        return b.digest();
    }

    /** Forgets the message so far. */
    public void reset() {
        System.arraycopy(IV, 0, h, 0, 8);
        h[0] ^= 0x01010000L ^ digestSize; // parameter block: digest size, no key, fanout 1, depth 1
        buffered = 0;
        countLow = 0;
        countHigh = 0;
    }

    public void update(byte[] data, int offset, int length) {
        while (length > 0) {
            if (buffered == BLOCK) { // only now, since the last block must be compressed as the final one
                count(BLOCK);
                compress(false);
                buffered = 0;
            }
            int n = Math.min(BLOCK - buffered, length);
            System.arraycopy(data, offset, buffer, buffered, n);
            buffered += n;
            offset += n;
            length -= n;
        }
    }

    /** The digest of the message so far; then resets. */
    public byte[] digest() {
        byte[] out = new byte[digestSize];
        finish();
        for (int i = 0; i < digestSize; i++) {
            out[i] = (byte) (h[i >>> 3] >>> (8 * (i & 7)));
        }
        reset();
        return out;
    }

    /** The first 8 bytes of the digest read big-endian (Python's {@code int.from_bytes(d[:8], "big")}); resets. */
    public long digestFirst8() {
        if (digestSize < 8) {
            throw new IllegalStateException("a " + digestSize + "-byte digest has no 8 bytes");
        }
        finish();
        long first = Long.reverseBytes(h[0]);
        reset();
        return first;
    }

    private void finish() {
        count(buffered);
        Arrays.fill(buffer, buffered, BLOCK, (byte) 0);
        compress(true);
    }

    private void count(int bytes) {
        long before = countLow;
        countLow += bytes;
        if (Long.compareUnsigned(countLow, before) < 0) {
            countHigh++;
        }
    }

    /** One block: twelve rounds of eight G mixes, the working vector in locals (much faster than an array). */
    private void compress(boolean last) {
        long[] m = words;
        for (int i = 0; i < 16; i++) {
            m[i] = word(buffer, 8 * i);
        }
        long v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3], v4 = h[4], v5 = h[5], v6 = h[6], v7 = h[7];
        long v8 = IV[0], v9 = IV[1], v10 = IV[2], v11 = IV[3];
        long v12 = IV[4] ^ countLow, v13 = IV[5] ^ countHigh, v14 = last ? ~IV[6] : IV[6], v15 = IV[7];
        for (int round = 0; round < 12; round++) {
            byte[] s = SIGMA[round % 10];
            v0 += v4 + m[s[0]]; v12 = Long.rotateRight(v12 ^ v0, 32); v8 += v12; v4 = Long.rotateRight(v4 ^ v8, 24);
            v0 += v4 + m[s[1]]; v12 = Long.rotateRight(v12 ^ v0, 16); v8 += v12; v4 = Long.rotateRight(v4 ^ v8, 63);
            v1 += v5 + m[s[2]]; v13 = Long.rotateRight(v13 ^ v1, 32); v9 += v13; v5 = Long.rotateRight(v5 ^ v9, 24);
            v1 += v5 + m[s[3]]; v13 = Long.rotateRight(v13 ^ v1, 16); v9 += v13; v5 = Long.rotateRight(v5 ^ v9, 63);
            v2 += v6 + m[s[4]]; v14 = Long.rotateRight(v14 ^ v2, 32); v10 += v14; v6 = Long.rotateRight(v6 ^ v10, 24);
            v2 += v6 + m[s[5]]; v14 = Long.rotateRight(v14 ^ v2, 16); v10 += v14; v6 = Long.rotateRight(v6 ^ v10, 63);
            v3 += v7 + m[s[6]]; v15 = Long.rotateRight(v15 ^ v3, 32); v11 += v15; v7 = Long.rotateRight(v7 ^ v11, 24);
            v3 += v7 + m[s[7]]; v15 = Long.rotateRight(v15 ^ v3, 16); v11 += v15; v7 = Long.rotateRight(v7 ^ v11, 63);
            v0 += v5 + m[s[8]]; v15 = Long.rotateRight(v15 ^ v0, 32); v10 += v15; v5 = Long.rotateRight(v5 ^ v10, 24);
            v0 += v5 + m[s[9]]; v15 = Long.rotateRight(v15 ^ v0, 16); v10 += v15; v5 = Long.rotateRight(v5 ^ v10, 63);
            v1 += v6 + m[s[10]]; v12 = Long.rotateRight(v12 ^ v1, 32); v11 += v12; v6 = Long.rotateRight(v6 ^ v11, 24);
            v1 += v6 + m[s[11]]; v12 = Long.rotateRight(v12 ^ v1, 16); v11 += v12; v6 = Long.rotateRight(v6 ^ v11, 63);
            v2 += v7 + m[s[12]]; v13 = Long.rotateRight(v13 ^ v2, 32); v8 += v13; v7 = Long.rotateRight(v7 ^ v8, 24);
            v2 += v7 + m[s[13]]; v13 = Long.rotateRight(v13 ^ v2, 16); v8 += v13; v7 = Long.rotateRight(v7 ^ v8, 63);
            v3 += v4 + m[s[14]]; v14 = Long.rotateRight(v14 ^ v3, 32); v9 += v14; v4 = Long.rotateRight(v4 ^ v9, 24);
            v3 += v4 + m[s[15]]; v14 = Long.rotateRight(v14 ^ v3, 16); v9 += v14; v4 = Long.rotateRight(v4 ^ v9, 63);
        }
        h[0] ^= v0 ^ v8;
        h[1] ^= v1 ^ v9;
        h[2] ^= v2 ^ v10;
        h[3] ^= v3 ^ v11;
        h[4] ^= v4 ^ v12;
        h[5] ^= v5 ^ v13;
        h[6] ^= v6 ^ v14;
        h[7] ^= v7 ^ v15;
    }

    private static long word(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24
                | (b[at + 4] & 0xFFL) << 32 | (b[at + 5] & 0xFFL) << 40 | (b[at + 6] & 0xFFL) << 48
                | (b[at + 7] & 0xFFL) << 56;
    }
}
