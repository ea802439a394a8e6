package io.fraudscore.flink;

import io.fraudscore.features.engine.KeyStateCodec;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes a {@link StoredKeyState} as its touch time, its count of events applied, whether changes are logged
 * after it, and its {@code KeyStateCodec} bytes (which carry their own format byte: a layout change ships a
 * reader for the older one). A copy takes the live state over and leaves
 * the original with its bytes ({@link StoredKeyState#handOver}), so the heap backend's copy-on-write during an
 * asynchronous checkpoint writes the state as it was (encoded once), and the task goes on without decoding it.
 */
public final class StoredKeyStateSerializer extends TypeSerializerSingleton<StoredKeyState> {
    private static final long serialVersionUID = 1L;
    public static final StoredKeyStateSerializer INSTANCE = new StoredKeyStateSerializer(true);
    /** The layout before the count of events applied: what a state written before it restores through. */
    static final StoredKeyStateSerializer WITHOUT_SEQ = new StoredKeyStateSerializer(false);

    private final boolean withSeq;

    private StoredKeyStateSerializer(boolean withSeq) {
        this.withSeq = withSeq;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public StoredKeyState createInstance() {
        return StoredKeyState.restored(new byte[0], 0, 0, false);
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
        if (withSeq) {
            target.writeLong(record.seq);
            target.writeBoolean(record.changesFollow);
        }
        target.writeInt(bytes.length);
        target.write(bytes);
    }

    @Override
    public StoredKeyState deserialize(DataInputView source) throws IOException {
        long touched = source.readLong();
        long seq = withSeq ? source.readLong() : 0;
        boolean changesFollow = withSeq && source.readBoolean();
        byte[] bytes = new byte[source.readInt()];
        source.readFully(bytes);
        return StoredKeyState.restored(bytes, touched, seq, changesFollow);
    }

    @Override
    public StoredKeyState deserialize(StoredKeyState reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        target.writeLong(source.readLong());
        if (withSeq) {
            target.writeLong(source.readLong());
            target.writeBoolean(source.readBoolean());
        }
        int length = source.readInt();
        target.writeInt(length);
        target.write(source, length);
    }

    @Override
    public TypeSerializerSnapshot<StoredKeyState> snapshotConfiguration() {
        return new Snapshot(withSeq ? Snapshot.VERSION : Snapshot.WITHOUT_SEQ);
    }

    /**
     * The serializer's identity in a checkpoint. Versions 2 and 3 are {@code SimpleTypeSerializerSnapshot}'s
     * (this class extended it), from before the count of events applied: their states restore through {@link
     * #WITHOUT_SEQ} and are written with it from then on.
     */
    public static final class Snapshot implements TypeSerializerSnapshot<StoredKeyState> {
        static final int VERSION = 4;
        static final int WITHOUT_SEQ = 3;
        private int version;

        public Snapshot() {
            this(VERSION);
        }

        Snapshot(int version) {
            this.version = version;
        }

        @Override
        public int getCurrentVersion() {
            return VERSION;
        }

        @Override
        public void writeSnapshot(DataOutputView out) {}

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) throws IOException {
            if (readVersion == 2) {
                in.readUTF(); // SimpleTypeSerializerSnapshot's version 2 named the serializer's class
            } else if (readVersion != WITHOUT_SEQ && readVersion != VERSION) {
                throw new IOException("a feature state serializer of version " + readVersion + "; this one reads 2 to " + VERSION);
            }
            version = readVersion;
        }

        @Override
        public TypeSerializer<StoredKeyState> restoreSerializer() {
            return version >= VERSION ? INSTANCE : StoredKeyStateSerializer.WITHOUT_SEQ;
        }

        @Override
        public TypeSerializerSchemaCompatibility<StoredKeyState> resolveSchemaCompatibility(
                TypeSerializerSnapshot<StoredKeyState> old) {
            if (!(old instanceof Snapshot before)) {
                return TypeSerializerSchemaCompatibility.incompatible();
            }
            return before.version >= VERSION
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
    }

    /** Each layout's serializer is one instance; {@link TypeSerializer} asks for these. */
    private Object readResolve() {
        return withSeq ? INSTANCE : WITHOUT_SEQ;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StoredKeyStateSerializer that && that.withSeq == withSeq;
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(withSeq);
    }
}
