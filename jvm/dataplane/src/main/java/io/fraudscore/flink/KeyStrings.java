package io.fraudscore.flink;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** The type of the jobs' String keys: {@code Types.STRING}, written by {@link KeyStringSerializer}. */
public final class KeyStrings extends TypeInformation<String> {
    private static final long serialVersionUID = 1L;
    public static final KeyStrings TYPE = new KeyStrings();

    private KeyStrings() {}

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<String> getTypeClass() {
        return String.class;
    }

    @Override
    public boolean isKeyType() {
        return true;
    }

    @Override
    public TypeSerializer<String> createSerializer(SerializerConfig config) {
        return KeyStringSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "String (a key)";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof KeyStrings;
    }

    @Override
    public int hashCode() {
        return KeyStrings.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof KeyStrings;
    }

    /** One instance: a deserialized copy is it. */
    private Object readResolve() {
        return TYPE;
    }
}
