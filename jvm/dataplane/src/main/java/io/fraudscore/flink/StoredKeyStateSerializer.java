package io.fraudscore.flink;

import io.fraudscore.features.engine.KeyStateCodec;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes a {@link StoredKeyState} as its touch time and its {@code KeyStateCodec} bytes (which carry their own
 * format byte: a layout change ships a reader for the older one). A copy takes the live state over and leaves
 * the original with its bytes ({@link StoredKeyState#handOver}), so the heap backend's copy-on-write during an
 * asynchronous checkpoint writes the state as it was (encoded once), and the task goes on without decoding it.
 */
public final class StoredKeyStateSerializer extends TypeSerializerSingleton<StoredKeyState> {
    private static final long serialVersionUID = 1L;
    public static final StoredKeyStateSerializer INSTANCE = new StoredKeyStateSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public StoredKeyState createInstance() {
        return StoredKeyState.restored(new byte[0], 0);
    }

    @Override
    public StoredKeyState copy(StoredKeyState from) {
        return from.handOver(KeyStateCodec::encode);
    }

    @Override
    public StoredKeyState copy(StoredKeyState from, StoredKeyState reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(StoredKeyState record, DataOutputView target) throws IOException {
        byte[] bytes = record.bytes(KeyStateCodec::encode);
        target.writeLong(record.touchedMs);
        target.writeInt(bytes.length);
        target.write(bytes);
    }

    @Override
    public StoredKeyState deserialize(DataInputView source) throws IOException {
        long touched = source.readLong();
        byte[] bytes = new byte[source.readInt()];
        source.readFully(bytes);
        return StoredKeyState.restored(bytes, touched);
    }

    @Override
    public StoredKeyState deserialize(StoredKeyState reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        target.writeLong(source.readLong());
        int length = source.readInt();
        target.writeInt(length);
        target.write(source, length);
    }

    @Override
    public TypeSerializerSnapshot<StoredKeyState> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's identity in a checkpoint; its single version so far. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<StoredKeyState> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** A singleton is equal to itself only; {@link TypeSerializer} asks for these. */
    private Object readResolve() {
        return INSTANCE;
    }
}
