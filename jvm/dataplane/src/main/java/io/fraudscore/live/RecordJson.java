package io.fraudscore.live;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * A score record's JSON, written field by field as UTF-8: the bytes {@link FastJson}'s mapper writes for the
 * same values in a map (RecordJsonTest holds the two to it), without building the map and looking up a
 * serializer for each value. A score record per model per event made that a fifth of the assembly's time. The
 * bytes go to Kafka as they are: writing a String first, then encoding it, made and copied each record twice.
 */
final class RecordJson {
    private static final ObjectMapper MAPPER = FastJson.mapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    /** The fields of one record, written by a generator. */
    interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private RecordJson() {}

    /** As {@code ObjectMapper.writeValueAsBytes} does it: a recycled buffer, given back to the pool after. */
    static byte[] write(Fields fields) {
        BufferRecycler buffers = FACTORY._getBufferRecycler();
        try (ByteArrayBuilder bytes = new ByteArrayBuilder(buffers)) {
            try (JsonGenerator g = FACTORY.createGenerator(bytes, JsonEncoding.UTF8)) {
                fields.write(g);
            }
            return bytes.getClearAndRelease();
        } catch (IOException e) {
            throw new UncheckedIOException("a score record that is not JSON", e);
        } finally {
            buffers.releaseToPool();
        }
    }

    static void field(JsonGenerator g, String name, Object value) throws IOException {
        g.writeFieldName(name);
        value(g, value);
    }

    /**
     * The named entries of {@code values}, as an object in the names' order: the bytes {@link #field} writes for
     * a map of them, without the map (one per model per event: see ScoreRecords.Overlay).
     */
    static void fieldOf(JsonGenerator g, String name, Map<String, Object> values, List<String> names)
            throws IOException {
        g.writeFieldName(name);
        g.writeStartObject();
        for (String key : names) {
            g.writeFieldName(key);
            value(g, values.get(key));
        }
        g.writeEndObject();
    }

    /** A value as the mapper writes it: the types events, features and model outputs hold, else the mapper. */
    static void value(JsonGenerator g, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof String text) {
            g.writeString(text);
        } else if (value instanceof Double number) {
            g.writeNumber(number);
        } else if (value instanceof Long number) {
            g.writeNumber(number);
        } else if (value instanceof Integer number) {
            g.writeNumber(number);
        } else if (value instanceof Boolean truth) {
            g.writeBoolean(truth);
        } else if (value instanceof Map<?, ?> map && allKeysAreStrings(map)) {
            g.writeStartObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                g.writeFieldName((String) entry.getKey());
                value(g, entry.getValue());
            }
            g.writeEndObject();
        } else if (value instanceof List<?> list) {
            g.writeStartArray();
            for (Object item : list) {
                value(g, item);
            }
            g.writeEndArray();
        } else {
            MAPPER.writeValue(g, value);
        }
    }

    private static boolean allKeysAreStrings(Map<?, ?> map) {
        for (Object key : map.keySet()) {
            if (!(key instanceof String)) {
                return false;
            }
        }
        return true;
    }
}
