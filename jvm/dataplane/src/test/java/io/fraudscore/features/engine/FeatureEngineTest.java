package io.fraudscore.features.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The engine on DSL.md's example: its features, its key states stored and restored, its input handling. */
class FeatureEngineTest {
    private static final long T0 = 1_795_320_000_000L;

    private static Object[] event(FeatureEngine engine, String json) throws IOException {
        return new EventReader(engine.fields()).read(json);
    }

    private static Object feature(FeatureEngine engine, Object[] out, String name) {
        return out[engine.featureNames().indexOf(name)];
    }

    @Test
    void theDslMdCardFeaturesOverTwoPayments() throws Exception {
        FeatureEngine engine = new FeatureEngine(Plans.dslMdExample());
        Object[] first = engine.process(event(engine, "{\"ts\": " + T0 + ", \"card_id\": \"k1\", \"amount\": 10.0,"
                + " \"status\": \"approved\", \"country\": \"DE\", \"merchant_id\": \"m1\", \"mcc\": 5411}"));
        Object[] second = engine.process(event(engine, "{\"ts\": " + (T0 + 60_000) + ", \"card_id\": \"k1\","
                + " \"amount\": 30.0, \"status\": \"declined\", \"country\": \"FR\", \"merchant_id\": \"m1\","
                + " \"mcc\": 4829}"));
        assertNull(feature(engine, first, "amount_avg_30d"));
        assertEquals(-1L, feature(engine, first, "secs_since_last"));
        assertEquals(288.0, feature(engine, first, "burst_5m"));
        assertEquals(2L, feature(engine, second, "txn_count_1h"));
        assertEquals(1L, feature(engine, second, "declined_10m"));
        assertEquals(40.0, feature(engine, second, "amount_sum_24h"));
        assertEquals(3.0, feature(engine, second, "amount_ratio"));
        assertEquals(60.0, feature(engine, second, "secs_since_last"));
        assertEquals("DE", feature(engine, second, "last_country"));
        assertEquals(true, feature(engine, second, "new_country"));
        assertEquals(true, feature(engine, second, "risky_mcc"));
        assertEquals(true, feature(engine, second, "seen_merchant_before"));
    }

    @Test
    void aKeyStateStoredAndRestoredCarriesOnIdentically() throws Exception {
        FeatureEngine engine = new FeatureEngine(Plans.dslMdExample());
        BlockProgram card = engine.routes().get(0).program();
        KeyState straight = card.newState();
        KeyState restored = card.newState();
        Random random = new Random(7);
        Object[] a = new Object[card.outputs()];
        Object[] b = new Object[card.outputs()];
        long ts = T0;
        for (int n = 0; n < 2_000; n++) {
            ts += random.nextInt(600_000) - 60_000; // a little out of order, now and then late
            Object[] fields = event(engine, "{\"ts\": " + ts + ", \"amount\": " + (random.nextInt(10_000) / 100.0)
                    + ", \"country\": \"" + "DEFRNL".substring(2 * (n % 3), 2 * (n % 3) + 2) + "\", \"status\": \""
                    + (n % 7 == 0 ? "declined" : "approved") + "\", \"merchant_id\": \"m" + random.nextInt(20) + "\"}");
            if (n % 97 == 0) {
                restored = KeyStateCodec.decode(card, KeyStateCodec.encode(restored));
            }
            card.evaluate(fields, ts, straight, a, 0);
            card.evaluate(fields, ts, restored, b, 0);
            assertArrayEquals(a, b, "event " + n);
        }
    }

    @Test
    void aStateOfAnotherFormatIsRefusedWithTheReason() throws Exception {
        BlockProgram card = new FeatureEngine(Plans.dslMdExample()).routes().get(0).program();
        byte[] bytes = KeyStateCodec.encode(card.newState());
        bytes[0] = 9;
        IOException error = assertThrows(IOException.class, () -> KeyStateCodec.decode(card, bytes));
        assertEquals("key state of format 9; this engine reads format 1 (written by a newer engine?)",
                error.getMessage());
    }

    @Test
    void fieldsThatAreNotIdsOrNumbersGiveDefaultsAndNulls() throws Exception {
        FeatureEngine engine = new FeatureEngine(Plans.dslMdExample());
        List<Object[]> outs = new ArrayList<>();
        for (String json : List.of(
                "{\"ts\": 1, \"card_id\": [\"k\"], \"amount\": 5}",
                "{\"ts\": 2, \"card_id\": \"k\", \"amount\": \"12\"}",
                "{\"ts\": 3, \"card_id\": \"k\", \"amount\": NaN, \"mcc\": 99999999999999999999999}",
                "{\"ts\": 4, \"card_id\": \"k\", \"amount\": {\"value\": 1}, \"price\": Infinity}")) {
            outs.add(engine.process(event(engine, json)));
        }
        assertNull(feature(engine, outs.get(0), "txn_count_1h")); // a list is no key: the block's defaults
        assertEquals(0L, feature(engine, outs.get(0), "amount_max_7d"));
        assertEquals(1L, feature(engine, outs.get(1), "txn_count_1h"));
        assertEquals(0L, feature(engine, outs.get(1), "amount_sum_24h")); // "12" is no number
        assertEquals(false, feature(engine, outs.get(2), "risky_mcc")); // 10^23 is null: not in the list
        assertEquals(0L, feature(engine, outs.get(3), "amount_sum_24h"));
    }
}
