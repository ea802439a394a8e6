package io.fraudscore.features.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every engine value and state integer round-trips exactly, and small ones stay small. */
class ValueCodecTest {
    @Test
    void valuesRoundTrip() throws IOException {
        List<Object> values = Arrays.asList(null, 0L, -1L, 63L, -64L, Long.MAX_VALUE, Long.MIN_VALUE, 0.0, -0.0,
                12.34, Double.MIN_VALUE, Double.MAX_VALUE, true, false, "", "card-123", "é\u20AC\uD83D\uDE00",
                "lone \uD800 and \uDC00", "x".repeat(70_000));
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buffer);
        for (Object v : values) {
            ValueCodec.write(out, v);
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(buffer.toByteArray()));
        for (Object v : values) {
            Object back = ValueCodec.read(in);
            if (v instanceof Double d) {
                assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits((Double) back));
            } else {
                assertEquals(v, back);
            }
        }
        assertEquals(-1, in.read());
    }

    @Test
    void integersRoundTripCompactly() throws IOException {
        Random r = new Random(11);
        for (int i = 0; i < 10_000; i++) {
            long l = r.nextLong() >> r.nextInt(64);
            BigInteger b = new BigInteger(r.nextInt(300), r).multiply(BigInteger.valueOf(r.nextBoolean() ? 1 : -1));
            int count = r.nextInt(Integer.MAX_VALUE) >> r.nextInt(31);
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(buffer);
            ValueCodec.writeLong(out, l);
            ValueCodec.writeInteger(out, b);
            ValueCodec.writeCount(out, count);
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(buffer.toByteArray()));
            assertEquals(l, ValueCodec.readLong(in));
            assertEquals(b, ValueCodec.readInteger(in));
            assertEquals(count, ValueCodec.readCount(in));
        }
        assertEquals(1, size(out -> ValueCodec.write(out, null)));
        assertEquals(2, size(out -> ValueCodec.write(out, -3L)));
        assertEquals(2, size(out -> ValueCodec.writeInteger(out, BigInteger.ZERO)));
    }

    @Test
    void otherObjectsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> ValueCodec.write(new DataOutputStream(new ByteArrayOutputStream()), List.of()));
        assertThrows(IOException.class,
                () -> ValueCodec.read(new DataInputStream(new ByteArrayInputStream(new byte[] {99}))));
    }

    private interface Writes {
        void to(DataOutputStream out) throws IOException;
    }

    private static int size(Writes writes) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        writes.to(new DataOutputStream(buffer));
        return buffer.size();
    }
}
