package io.fraudscore.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The JVM decoder gives every shared fixture (src/test/resources/control, written by the Python publisher with
 * {@code .venv/bin/python -m tests.control_fixtures} and checked against it by tests/test_control_fixtures.py)
 * the outcome Python gives it: the same fields, PMML and plan, or the same rejection reason.
 */
class ControlFixturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> everyFixtureDecodesAsInPython() throws IOException {
        return names().stream().map(name -> DynamicTest.dynamicTest(name, () -> check(name)));
    }

    @Test
    void theSizeLimitIsPythons() throws IOException {
        JsonNode deploy = JSON.readTree(resource("model_deploy_champion.json"));
        assertEquals(ControlDecoder.PMML_LIMIT, deploy.get("pmml_limit").intValue());
    }

    @Test
    void theIndexNamesEveryFixture() throws IOException {
        assertEquals(64, names().size(), "fixtures added or removed: update this count with the index");
    }

    private static void check(String name) throws IOException {
        JsonNode spec = JSON.readTree(resource(name + ".json"));
        byte[] value = resource(name + ".value");
        ControlDecoder decoder =
                new ControlDecoder(spec.get("signing_key").textValue(), spec.get("pmml_limit").intValue());
        JsonNode expected = spec.get("expected");
        if (expected.has("rejected")) {
            String reason = expected.get("rejected").textValue();
            ControlMessageException e = assertThrows(ControlMessageException.class, () -> unpacked(decoder, value),
                    () -> name + ": accepted, Python refuses it with: " + reason);
            assertEquals(reason, e.getMessage(), name);
            return;
        }
        JsonNode fields = expected.get("accepted");
        ControlMessage message;
        try {
            message = unpacked(decoder, value);
        } catch (ControlMessageException e) {
            fail(name + ": refused (" + e.getMessage() + "), Python accepts it");
            return;
        }
        assertEquals(fields.get("type").textValue(), message.type(), name);
        assertEquals(fields.get("seq").longValue(), message.seq(), name);
        assertEquals(fields.get("model_id").textValue(), message.modelId(), name);
        JsonNode version = fields.get("version");
        assertEquals(version.isNull() ? null : version.longValue(), message.version(), name);
        assertEquals(fields.get("payload"), message.payload(), name);
        assertEquals(fields.get("issued_at").longValue(), message.issuedAt(), name);
        try {
            if (fields.has("pmml_base64")) {
                byte[] pmml = Base64.getDecoder().decode(fields.get("pmml_base64").textValue());
                assertArrayEquals(pmml, decoder.pmml(message), name);
            }
            if (fields.has("plan")) {
                Optional<? extends JsonNode> plan = decoder.plan(message);
                assertEquals(fields.get("plan").isNull() ? Optional.empty() : Optional.of(fields.get("plan")), plan,
                        name);
            }
        } catch (ControlMessageException e) {
            fail(name + ": " + e.getMessage());
        }
    }

    /** Decoding as the Python side does: the envelope, then a deploy's PMML or a feature set's plan. */
    private static ControlMessage unpacked(ControlDecoder decoder, byte[] value) throws ControlMessageException {
        ControlMessage message = decoder.decode(value);
        if (message.type().equals("model.deploy")) {
            decoder.pmml(message);
        }
        if (message.type().equals("features.deploy")) {
            decoder.plan(message);
        }
        return message;
    }

    private static List<String> names() throws IOException {
        List<String> names = new ArrayList<>();
        JSON.readTree(resource("index.json")).get("fixtures").forEach(n -> names.add(n.textValue()));
        return names;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ControlFixturesTest.class.getResourceAsStream("/control/" + name)) {
            assertNotNull(in, "no fixture " + name + ": write them with .venv/bin/python -m tests.control_fixtures");
            return in.readAllBytes();
        }
    }
}
