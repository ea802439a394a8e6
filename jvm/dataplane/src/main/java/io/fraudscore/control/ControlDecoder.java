package io.fraudscore.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies and reads control messages in the wire format of fraudscore/control.py (format 2): a record's value
 * is {@code {"body": "<the envelope's JSON>", "signature": "<hex HMAC-SHA256 of body's UTF-8 bytes>"}}. The
 * signature is checked over the body's bytes as received, in constant time, before the envelope is parsed;
 * then the envelope is checked field by field as Python's {@code _validated} checks it, and every refusal
 * carries Python's reason word for word (the fixtures in src/test/resources/control hold both to it).
 *
 * <p>JSON is read as strictly as orjson reads it: UTF-8 only, no byte order mark, nothing after the document,
 * no lone surrogate, no number that overflows to an infinity. Thread-safe.
 */
public final class ControlDecoder {
    public static final Set<String> MESSAGE_TYPES =
            Set.of("model.deploy", "model.update", "model.retire", "alias.set", "features.deploy");
    /** Bytes of PMML once decompressed, as in Python. */
    public static final int PMML_LIMIT = 256 * 1024 * 1024;

    // A name given twice keeps its last value, as in orjson. Strings as long as the topic's largest message
    // (a body with its PMML is one string; Jackson's own default stops at 20 million characters).
    private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength(Integer.MAX_VALUE)
                            .build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();
    private static final String HMAC = "HmacSHA256";

    private final SecretKeySpec key;
    private final int pmmlLimit;

    public ControlDecoder(String signingKey) {
        this(signingKey, PMML_LIMIT);
    }

    public ControlDecoder(String signingKey, int pmmlLimit) {
        this.key = new SecretKeySpec(signingKey.getBytes(StandardCharsets.UTF_8), HMAC);
        this.pmmlLimit = pmmlLimit;
    }

    /** The message a record's value carries, verified and checked; the reason it must not be applied otherwise. */
    public ControlMessage decode(byte[] record) throws ControlMessageException {
        JsonNode outer = object(record, "control message");
        JsonNode signature = outer.get("signature");
        boolean signed = signature != null && signature.isTextual();
        if (!outer.has("body") && signed) {
            throw new ControlMessageException("control message of an older format: republish");
        }
        if (!signed) {
            throw new ControlMessageException("unsigned control message");
        }
        JsonNode body = outer.get("body");
        if (body == null || !body.isTextual()) {
            throw new ControlMessageException("control message 'body' must be a string");
        }
        byte[] bodyBytes = body.textValue().getBytes(StandardCharsets.UTF_8);
        byte[] expected = HexFormat.of().formatHex(hmac(bodyBytes)).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(signature.textValue().getBytes(StandardCharsets.UTF_8), expected)) {
            throw new ControlMessageException("bad control message signature");
        }
        return validated((ObjectNode) object(bodyBytes, "control message body"));
    }

    /** The PMML a {@code model.deploy} carries, unpacked (gzip+base64, at most the limit once decompressed). */
    public byte[] pmml(ControlMessage message) throws ControlMessageException {
        JsonNode packed = message.payload().get("pmml");
        if (packed == null || !packed.isTextual()) {
            throw new ControlMessageException("payload needs 'pmml'");
        }
        return InlinePmml.unpack(packed.textValue(), pmmlLimit);
    }

    /** The feature plan a {@code features.deploy} carries; empty when its file did not check. */
    public Optional<ObjectNode> plan(ControlMessage message) throws ControlMessageException {
        JsonNode plan = message.payload().get("plan");
        if (plan == null || plan.isNull()) {
            return Optional.empty();
        }
        if (!plan.isObject()) {
            throw new ControlMessageException("payload 'plan' must be an object");
        }
        return Optional.of((ObjectNode) plan);
    }

    private static ControlMessage validated(ObjectNode envelope) throws ControlMessageException {
        JsonNode type = envelope.get("type");
        if (type == null || !type.isTextual()) {
            throw new ControlMessageException("control message 'type' must be a string");
        }
        if (!MESSAGE_TYPES.contains(type.textValue())) {
            throw new ControlMessageException("unknown control message type '" + type.textValue() + "'");
        }
        JsonNode seq = envelope.get("seq");
        if (!isLong(seq) || seq.longValue() < 0) {
            throw new ControlMessageException("control message 'seq' must be a non-negative integer");
        }
        JsonNode modelId = envelope.get("model_id");
        if (modelId == null || !modelId.isTextual() || modelId.textValue().isEmpty()) {
            throw new ControlMessageException("control message needs a 'model_id'");
        }
        JsonNode version = envelope.get("version");
        boolean noVersion = version == null || version.isNull();
        if (!noVersion && !isLong(version)) {
            throw new ControlMessageException("control message 'version' must be an integer");
        }
        JsonNode payload = envelope.get("payload");
        if (payload == null || payload.isNull()) {
            payload = JSON.createObjectNode();
        }
        if (!payload.isObject()) {
            throw new ControlMessageException("control message 'payload' must be an object");
        }
        JsonNode issuedAt = envelope.get("issued_at");
        boolean noIssuedAt = issuedAt == null || issuedAt.isNull();
        if (!noIssuedAt && !isLong(issuedAt)) {
            throw new ControlMessageException("control message 'issued_at' must be an integer");
        }
        return new ControlMessage(
                type.textValue(),
                seq.longValue(),
                modelId.textValue(),
                noVersion ? null : version.longValue(),
                (ObjectNode) payload,
                noIssuedAt ? 0 : issuedAt.longValue());
    }

    /** An integer within 64 bits: Python's int in the range the envelope allows; not a bool, not 2.0. */
    private static boolean isLong(JsonNode node) {
        return node != null && node.isIntegralNumber() && node.canConvertToLong();
    }

    private static JsonNode object(byte[] bytes, String what) throws ControlMessageException {
        JsonNode value;
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            if (text.startsWith("\uFEFF")) {
                throw new ControlMessageException(what + " is not JSON");
            }
            value = JSON.readTree(text);
        } catch (CharacterCodingException | JsonProcessingException e) {
            throw new ControlMessageException(what + " is not JSON");
        }
        if (value == null || value.isMissingNode() || !wellFormed(value)) {
            throw new ControlMessageException(what + " is not JSON");
        }
        if (!value.isObject()) {
            throw new ControlMessageException(what + " is not a JSON object");
        }
        return value;
    }

    /** What orjson refuses and Jackson reads: a lone surrogate in a string or a name, an infinite number. */
    private static boolean wellFormed(JsonNode node) {
        if (node.isTextual()) {
            return paired(node.textValue());
        }
        if (node.isFloatingPointNumber()) {
            return Double.isFinite(node.doubleValue());
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!paired(field.getKey()) || !wellFormed(field.getValue())) {
                    return false;
                }
            }
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (!wellFormed(element)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean paired(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private byte[] hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every JVM", e);
        }
    }
}
