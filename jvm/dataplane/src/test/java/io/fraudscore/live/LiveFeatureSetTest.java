package io.fraudscore.live;

import static io.fraudscore.live.Signed.KEY;
import static io.fraudscore.live.Signed.features;
import static io.fraudscore.live.Signed.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudscore.features.engine.EventReader;
import io.fraudscore.features.engine.KeyState;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** tests/scoring_job/test_live_features.py's cases, on the plan a features.deploy carries. */
class LiveFeatureSetTest {
    static final long DEPLOYED_AT = 1_800_000_000_000L;
    static final long HOUR = 3_600_000L;
    static final String V1 = resource("payments_v1.plan.json");
    static final String V2 = resource("payments_v2.plan.json");

    static String deployV1(long seq) {
        return features(seq, "payments", resource("payments_v1.fdsl"), V1, DEPLOYED_AT);
    }

    static String deployV2(long seq) {
        return features(seq, "payments", resource("payments_v2.fdsl"), V2, DEPLOYED_AT + HOUR);
    }

    static LiveFeatureSet live(MapControlState state) {
        try (OperatorControl control = new OperatorControl(KEY, List.of(), true, OperatorControlTest.NOW)) {
            control.apply(deployV1(1), state);
            return control.view(state).features();
        }
    }

    static Object[] read(LiveFeatureSet live, String json) throws IOException {
        return new EventReader(live.fields()).read(json);
    }

    @Test
    void eachBlockIsAPartRoutedByItsKey() throws IOException {
        LiveFeatureSet live = live(new MapControlState());
        Routing routing = live.route(read(live, "{\"card_id\": \"k1\", \"device_id\": \"d1\", \"merchant_id\": \"m1\","
                + " \"ts\": 0}"));
        assertEquals(List.of("card [\"k1\"]", "device [\"d1\"]", "card_merchant [\"k1\",\"m1\"]", "merchant [\"m1\"]"),
                routing.remote().stream().map(r -> r.part().name() + " " + r.routeKey().split("\\|")[1]).toList());
        assertTrue(routing.remote().get(0).routeKey().startsWith("card#e2ac87eefdb6|"));
        assertEquals(Map.of(), routing.local());
        assertEquals(live.part(routing.remote().get(0).part().stateId()), routing.remote().get(0).part());
        assertNull(live.part("card#000000000000"));
    }

    @Test
    void aBlockWhoseKeyTheEventLacksGivesItsDefaultsWhereTheEventIs() throws IOException {
        LiveFeatureSet live = live(new MapControlState());
        Routing routing = live.route(read(live, "{\"card_id\": \"k1\", \"device_id\": [1], \"merchant_id\": null, "
                + "\"ts\": 0}"));
        assertEquals(List.of("card"), routing.remote().stream().map(r -> r.part().name()).toList());
        Map<String, Object> expected = new LinkedHashMap<>();
        for (String name : List.of("cards_on_device_24h", "logins_1h", "seen_merchant_before", "merchant_txn_1h",
                "merchant_declines_1h")) {
            expected.put(name, null);
        }
        expected.put("merchant_decline_rate", 0L);
        for (String name : List.of("merchant_cards_7d", "merchant_avg_7d", "merchant_amount_z")) {
            expected.put(name, null);
        }
        assertEquals(expected, routing.local());
    }

    @Test
    void numbersThatPythonFindsEqualAreOneKey() throws IOException {
        LiveFeatureSet live = live(new MapControlState());
        String one = live.route(read(live, "{\"card_id\": 1, \"ts\": 0}")).remote().get(0).routeKey();
        assertEquals(one, live.route(read(live, "{\"card_id\": 1.0, \"ts\": 0}")).remote().get(0).routeKey());
        assertTrue(one.endsWith("|[1]"), one);
    }

    @Test
    void aPartEvaluatesAgainstItsKeysStateWhichSurvivesBytes() throws IOException {
        LiveFeatureSet live = live(new MapControlState());
        LivePart card = live.route(read(live, "{\"card_id\": \"k\", \"ts\": 0}")).remote().get(0).part();
        KeyState state = card.newState();
        for (int i = 0; i < 3; i++) {
            Object[] event = read(live, "{\"card_id\": \"k\", \"amount\": 10.0, \"ts\": " + i * 1000 + "}");
            Map<String, Object> features = card.evaluate(event, state);
            assertEquals((long) i + 1, features.get("txn_count_1h"));
            state = card.decode(card.encode(state));
        }
        assertEquals(card.defaults().keySet(), card.evaluate(read(live, "{\"card_id\": \"k\", \"ts\": 5000}"),
                state).keySet());
        assertEquals(45L * 24 * HOUR, card.ttlMs());
    }

    @Test
    void anUnchangedBlockKeepsItsStateIdAndAgeAcrossVersionsAChangedOneStartsAfresh() {
        MapControlState state = new MapControlState();
        try (OperatorControl control = new OperatorControl(KEY, List.of(), true, OperatorControlTest.NOW)) {
            assertEquals(new Applied("feature set payments:1 live: 4 blocks, 0 kept from before"),
                    control.apply(deployV1(1), state));
            LiveFeatureSet first = control.view(state).features();
            assertEquals(new Applied("feature set payments:2 live: 4 blocks, 3 kept from before"),
                    control.apply(deployV2(2), state));
            LiveView view = control.view(state);
            LiveFeatureSet second = view.features();
            assertEquals("payments:2", second.label());
            assertEquals("payments:1", view.previousFeatures().label());
            List<String> kept = first.parts().stream()
                    .filter(p -> second.part(p.stateId()) != null).map(LivePart::name).toList();
            assertEquals(List.of("card", "card_merchant", "merchant"), kept);
            assertEquals(List.of(DEPLOYED_AT, DEPLOYED_AT + HOUR, DEPLOYED_AT, DEPLOYED_AT),
                    second.parts().stream().map(p -> second.since().get(p.blockId())).toList());
            assertNotEquals(first.parts().get(1).stateId(), second.parts().get(1).stateId());
        }
        // A restored subtask (new objects, the same state) finds both, with their ages.
        try (OperatorControl restored = new OperatorControl(KEY, List.of(), false, OperatorControlTest.NOW)) {
            LiveView view = restored.view(state);
            assertEquals("payments:2", view.features().label());
            assertEquals("payments:1", view.previousFeatures().label());
            assertEquals(List.of("cards_on_device_24h"),
                    view.features().warming(List.of("cards_on_device_24h", "txn_count_1h"), DEPLOYED_AT + 2 * HOUR));
        }
    }

    @Test
    void featuresThatLookBackFurtherThanTheirBlockHasBeenLiveAreWarming() {
        LiveFeatureSet live = live(new MapControlState());
        List<String> names = List.of("txn_count_1h", "amount_avg_30d", "amount_ratio", "risky_mcc", "recent_avg_10",
                "secs_since_last");
        assertEquals(List.of("amount_avg_30d", "amount_ratio", "secs_since_last"),
                live.warming(names, DEPLOYED_AT + 2 * HOUR));
        assertEquals(List.of(), live.warming(names, DEPLOYED_AT + 46 * 24 * HOUR));
    }

    @Test
    void aFeatureFileWithoutAPlanIsRejectedAndTheLiveSetStays() {
        MapControlState state = new MapControlState();
        try (OperatorControl control = new OperatorControl(KEY, List.of(), false, OperatorControlTest.NOW)) {
            control.apply(deployV1(1), state);
            Rejected rejected = assertInstanceOf(Rejected.class,
                    control.apply(features(2, "payments", "featureset payments version 2\nfeatures x per", null,
                            DEPLOYED_AT), state));
            assertTrue(rejected.reason().startsWith("payments.fdsl: the feature file does not check"),
                    rejected.reason());
            assertEquals("payments:1", control.view(state).features().label());
            assertEquals("2", state.get("seq"));
        }
    }
}
