package io.fraudscore.features.engine;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudscore.features.expr.FieldSlots;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a canonical event (one JSON object) into the array of the fields a plan reads, skipping the rest
 * without building them. Values as the DSL sees them: integers as Long (outside 64 bits: null), other
 * numbers as Double (NaN and infinities, which Python's JSON writes, null), strings, booleans, null; a list
 * or an object stays an opaque JSON tree (a wrong input: arithmetic and keys treat it as no value).
 */
public final class EventReader {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();
    private static final ObjectMapper TREES = new ObjectMapper(FACTORY);

    private static final int CANONICAL_LIMIT = 1 << 16;

    private final FieldSlots fields;
    // One instance per distinct string value (an id, a country, a status), so the keys' windows hold shared
    // instances and a look-up in a window's value counts finds its key by identity, without reading the
    // stored string (cold in a key's state: the cost of exact `distinct`, measured).
    private final Map<String, String> canonical = new HashMap<>();

    public EventReader(FieldSlots fields) {
        this.fields = fields;
    }

    private String canonical(String text) {
        String known = canonical.putIfAbsent(text, text);
        if (known != null) {
            return known;
        }
        if (canonical.size() > CANONICAL_LIMIT) {
            canonical.clear(); // many distinct values (event ids): start again rather than grow
        }
        return text;
    }

    /** The event's fields by slot; null for JSON that is not an object; IOException when it is not JSON. */
    public Object[] read(String json) throws IOException {
        try (JsonParser parser = FACTORY.createParser(json)) {
            return read(parser);
        }
    }

    public Object[] read(byte[] json) throws IOException {
        try (JsonParser parser = FACTORY.createParser(json)) {
            return read(parser);
        }
    }

    private Object[] read(JsonParser parser) throws IOException {
        JsonToken first = parser.nextToken();
        if (first != JsonToken.START_OBJECT) {
            parser.skipChildren();
            if (first == null || parser.nextToken() != null) {
                throw new IOException(first == null ? "no JSON value" : "more than one JSON value on the line");
            }
            return null;
        }
        Object[] event = new Object[fields.size()];
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            int slot = fields.find(parser.currentName());
            JsonToken token = parser.nextToken();
            if (slot < 0) {
                parser.skipChildren();
            } else {
                Object value = value(parser, token);
                event[slot] = value instanceof String text ? canonical(text) : value;
            }
        }
        if (parser.nextToken() != null) {
            throw new IOException("more than one JSON value on the line");
        }
        return event;
    }

    private static Object value(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT -> parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? null : parser.getLongValue();
            case VALUE_NUMBER_FLOAT -> {
                double d = parser.getDoubleValue();
                yield Double.isFinite(d) ? d : null;
            }
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case START_ARRAY, START_OBJECT -> TREES.readTree(parser);
            default -> null;
        };
    }
}
