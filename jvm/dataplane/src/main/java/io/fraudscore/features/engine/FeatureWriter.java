package io.fraudscore.features.engine;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Writes one JSON line per event, {@code {"event_id": ..., "features": {"name": value, ...}}}, as
 * {@code fraudscore dsl eval} prints it: nulls as null, integers as integers, doubles so that they read back
 * to the same double.
 */
public final class FeatureWriter implements AutoCloseable {
    private static final ObjectMapper TREES = new ObjectMapper();
    private final JsonGenerator out;
    private final OutputStream stream;
    private final String[] names;

    public FeatureWriter(OutputStream stream, List<String> names) throws IOException {
        this.stream = stream;
        this.out = new JsonFactory(TREES).createGenerator(stream)
                .disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM); // drain() must not cost a system call
        this.out.setRootValueSeparator(null);
        this.names = names.toArray(String[]::new);
    }

    public void write(Object eventId, Object[] features) throws IOException {
        out.writeStartObject();
        out.writeFieldName("event_id");
        value(eventId);
        out.writeFieldName("features");
        out.writeStartObject();
        for (int i = 0; i < names.length; i++) {
            out.writeFieldName(names[i]);
            value(features[i]);
        }
        out.writeEndObject();
        out.writeEndObject();
        out.writeRaw('\n');
    }

    /** A line {@code {"error": message}}: an event the engine could not take, where the caller goes on. */
    public void writeError(String message) throws IOException {
        out.writeStartObject();
        out.writeStringField("error", message);
        out.writeEndObject();
        out.writeRaw('\n');
    }

    private void value(Object value) throws IOException {
        if (value == null) {
            out.writeNull();
        } else if (value instanceof Long l) {
            out.writeNumber(l);
        } else if (value instanceof Double d) {
            out.writeNumber(d);
        } else if (value instanceof String s) {
            out.writeString(s);
        } else if (value instanceof Boolean b) {
            out.writeBoolean(b);
        } else if (value instanceof JsonNode tree) {
            out.writeTree(tree);
        } else {
            throw new IllegalStateException("not an engine value: " + value.getClass());
        }
    }

    /** Moves what is written into the stream (writers that share one stream drain after each line). */
    public void drain() throws IOException {
        out.flush();
    }

    /** Drains and flushes the stream: the reader at the other end sees every line written so far. */
    public void flush() throws IOException {
        out.flush();
        stream.flush();
    }

    @Override
    public void close() throws IOException {
        out.flush();
        stream.flush();
    }
}
