package io.fraudscore.live;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Control messages for the tests, signed as fraudscore/control.py's {@code encode} and {@code seal} sign them
 * (format 2: the envelope's JSON text as "body", the hex HMAC-SHA256 of its UTF-8 bytes as "signature"), and
 * small PMML models (tests/pmml_models.py's {@code logistic}).
 */
final class Signed {
    static final String KEY = "test-key";
    static final ObjectMapper JSON = new ObjectMapper();

    private Signed() {}

    static String message(String type, long seq, String modelId, Long version, Map<String, ?> payload, String key) {
        ObjectNode envelope = JSON.createObjectNode();
        envelope.put("type", type);
        envelope.put("seq", seq);
        envelope.put("model_id", modelId);
        if (version == null) {
            envelope.putNull("version");
        } else {
            envelope.put("version", version);
        }
        envelope.set("payload", JSON.valueToTree(payload));
        envelope.put("issued_at", 1_800_000_000_000L);
        return seal(envelope.toString(), key);
    }

    static String message(String type, long seq, Long version, Map<String, ?> payload) {
        return message(type, seq, "lr", version, payload, KEY);
    }

    static String seal(String body, String key) {
        ObjectNode record = JSON.createObjectNode();
        record.put("body", body);
        record.put("signature", signature(body, key));
        return record.toString();
    }

    static String deploy(long seq, long version, byte[] pmml, Object... settings) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("pmml", pack(pmml));
        for (int i = 0; i < settings.length; i += 2) {
            payload.put((String) settings[i], settings[i + 1]);
        }
        return message("model.deploy", seq, version, payload);
    }

    static String features(long seq, String name, String dsl, String planJson, long issuedAt) {
        try {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("dsl", dsl);
            payload.put("source", name + ".fdsl");
            if (planJson != null) {
                payload.put("plan", JSON.readTree(planJson));
            }
            ObjectNode envelope = JSON.createObjectNode();
            envelope.put("type", "features.deploy");
            envelope.put("seq", seq);
            envelope.put("model_id", name);
            envelope.putNull("version");
            envelope.set("payload", JSON.valueToTree(payload));
            envelope.put("issued_at", issuedAt);
            return seal(envelope.toString(), KEY);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String pack(byte[] pmml) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(pmml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    static String signature(String body, String key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A logistic regression on {@code amount}: P(1) = sigmoid(intercept + slope * amount). */
    static byte[] logistic(double slope, double intercept) {
        return ("""
                <PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/><DataDictionary>
                <DataField name="amount" optype="continuous" dataType="double"/>
                <DataField name="is_fraud" optype="categorical" dataType="integer"><Value value="0"/><Value value="1"/>\
                </DataField></DataDictionary>
                <RegressionModel functionName="classification" normalizationMethod="logit">
                <MiningSchema><MiningField name="is_fraud" usageType="target"/><MiningField name="amount"/></MiningSchema>
                <Output><OutputField name="probability(0)" optype="continuous" dataType="double" feature="probability" \
                value="0"/>
                <OutputField name="probability(1)" optype="continuous" dataType="double" feature="probability" \
                value="1"/></Output>
                <RegressionTable intercept="%s" targetCategory="1"><NumericPredictor name="amount" coefficient="%s"/>\
                </RegressionTable>
                <RegressionTable intercept="0" targetCategory="0"/></RegressionModel></PMML>""")
                .formatted(intercept, slope).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] lr() {
        return logistic(0.01, -5.0); // 0.5 at 500
    }

    static String resource(String name) {
        try (InputStream in = Signed.class.getResourceAsStream("/live/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
