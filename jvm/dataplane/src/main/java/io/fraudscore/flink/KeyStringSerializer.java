package io.fraudscore.flink;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The jobs' keys written byte for byte as Flink's {@link StringSerializer} writes them (StringValue's format:
 * the length plus one, then each char, in 7-bit groups), but built in an array and handed over in one call.
 * A checkpoint of the heap backend writes every key of every keyed state and timer to a {@code
 * DataOutputStream} whose {@code write(int)} is synchronized and passes through three streams: writing keys a
 * byte at a time was a third of a checkpoint's CPU. With the same bytes, a checkpoint or savepoint whose keys
 * StringSerializer wrote (the jobs before this one) restores as it is: {@link Snapshot} accepts its snapshot.
 */
public final class KeyStringSerializer extends TypeSerializerSingleton<String> {
    private static final long serialVersionUID = 1L;
    public static final KeyStringSerializer INSTANCE = new KeyStringSerializer();
    private static final int HIGH_BIT = 0x80;

    // One per thread: a checkpoint's writer and the task's thread may write keys at the same time.
    private static final ThreadLocal<byte[]> BUFFERS = ThreadLocal.withInitial(() -> new byte[256]);

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public String createInstance() {
        return "";
    }

    @Override
    public String copy(String from) {
        return from;
    }

    @Override
    public String copy(String from, String reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(String record, DataOutputView target) throws IOException {
        if (record == null) {
            target.write(0); // StringValue's null
            return;
        }
        int length = record.length();
        byte[] out = room(5 + 3 * length); // a char takes at most 3 bytes, the length at most 5
        int n = sevenBitGroups(length + 1, out, 0);
        for (int i = 0; i < length; i++) {
            n = sevenBitGroups(record.charAt(i), out, n);
        }
        target.write(out, 0, n);
    }

    /** The value in 7-bit groups, lowest first, each but the last with its high bit set: StringValue's ints. */
    private static int sevenBitGroups(int value, byte[] out, int at) {
        while (value >= HIGH_BIT) {
            out[at++] = (byte) (value | HIGH_BIT);
            value >>>= 7;
        }
        out[at++] = (byte) value;
        return at;
    }

    private static byte[] room(int size) {
        byte[] buffer = BUFFERS.get();
        if (buffer.length < size) {
            buffer = new byte[size];
            BUFFERS.set(buffer);
        }
        return buffer;
    }

    @Override
    public String deserialize(DataInputView source) throws IOException {
        return StringValue.readString(source);
    }

    @Override
    public String deserialize(String reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        StringValue.copyString(source, target);
    }

    @Override
    public TypeSerializerSnapshot<String> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Its identity in a checkpoint. A key serializer cannot migrate: StringSerializer's bytes are read as they are. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<String> {
        public Snapshot() {
            super(() -> INSTANCE);
        }

        @Override
        public TypeSerializerSchemaCompatibility<String> resolveSchemaCompatibility(TypeSerializerSnapshot<String> old) {
            if (old instanceof StringSerializer.StringSerializerSnapshot) {
                return TypeSerializerSchemaCompatibility.compatibleAsIs();
            }
            return super.resolveSchemaCompatibility(old);
        }
    }

    /** A singleton is equal to itself only; {@link org.apache.flink.api.common.typeutils.TypeSerializer} asks for these. */
    private Object readResolve() {
        return INSTANCE;
    }
}
