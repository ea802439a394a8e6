package io.fraudscore.live;

import com.fasterxml.jackson.databind.JsonNode;
import io.fraudscore.features.sketch.PythonRepr;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Python's {@code repr()} and {@code str()} of JSON values, for messages worded as Python words them. */
final class PyText {
    private PyText() {}

    static String repr(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "None";
        }
        if (node.isBoolean()) {
            return node.booleanValue() ? "True" : "False";
        }
        if (node.isTextual()) {
            return scalar(node.textValue());
        }
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue().toString();
        }
        if (node.isNumber()) {
            return scalar(node.doubleValue());
        }
        if (node.isArray()) {
            List<String> items = new ArrayList<>();
            node.forEach(item -> items.add(repr(item)));
            return "[" + String.join(", ", items) + "]";
        }
        List<String> items = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            items.add(scalar(field.getKey()) + ": " + repr(field.getValue()));
        }
        return "{" + String.join(", ", items) + "}";
    }

    /** {@code str()}: a string as it is, anything else as its repr. */
    static String str(JsonNode node) {
        return node != null && node.isTextual() ? node.textValue() : repr(node);
    }

    /** The repr of a String, Long or Double; of a list of strings; "None" for null. */
    static String repr(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            list.forEach(item -> items.add(repr(item)));
            return "[" + String.join(", ", items) + "]";
        }
        if (value instanceof Integer i) {
            return i.toString();
        }
        if (value instanceof Float f) {
            return scalar(f.doubleValue());
        }
        return scalar(value);
    }

    private static String scalar(Object value) {
        if (value instanceof Double d && !Double.isFinite(d)) {
            return d.isNaN() ? "nan" : d > 0 ? "inf" : "-inf";
        }
        if (!(value instanceof String || value instanceof Long || value instanceof Double
                || value instanceof Boolean)) {
            return String.valueOf(value);
        }
        String typed = PythonRepr.typed(value);
        return typed.substring(typed.indexOf(':') + 1);
    }
}
