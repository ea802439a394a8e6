package io.fraudscore.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A control message not applied (or, reported late, a deployed version that did not compile): the reason, in
 * Python's words, and the model id when the message could be read that far (else null).
 */
public record Rejected(String reason, String modelId) implements ControlOutcome {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RAW_CHARS = 4096;

    /** The {@code dlq} record, as Python's {@code ControlRejected.dlq_record}: the raw message cut to 4096 chars. */
    public String dlqRecord(String raw) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("source", "control");
        record.put("reason", reason);
        record.put("model_id", modelId);
        record.put("raw", prefix(raw));
        try {
            return JSON.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings is JSON", e);
        }
    }

    /** Python's {@code raw[:4096]}: code points, not UTF-16 units. */
    static String prefix(String raw) {
        return prefix(raw, RAW_CHARS);
    }

    /** Python's {@code text[:chars]}. */
    static String prefix(String text, int chars) {
        if (text == null || text.length() <= chars) {
            return text;
        }
        int points = text.codePointCount(0, text.length());
        return points <= chars ? text : text.substring(0, text.offsetByCodePoints(0, chars));
    }
}
