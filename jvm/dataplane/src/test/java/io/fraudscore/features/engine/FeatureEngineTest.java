package io.fraudscore.features.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fraudscore.features.plan.FeaturePlan;
import io.fraudscore.features.state.BytesIn;
import io.fraudscore.features.state.BytesOut;
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

    /**
     * Every block of DSL.md's example (windows, tiles, stateful functions), events a little out of order, now and
     * then late or after the block's ttl: a state written whole, then the changes of the events after it
     * replayed, is the state those events left, byte for byte, and goes on giving the same features.
     */
    @Test
    void aStateRebuiltFromItsChangesIsTheStateTheEventsLeft() throws Exception {
        FeatureEngine engine = new FeatureEngine(Plans.dslMdExample());
        for (FeatureEngine.Route route : engine.routes()) {
            BlockProgram program = route.program();
            KeyState straight = program.newState();
            byte[] whole = KeyStateCodec.encode(straight);
            List<byte[]> changes = new ArrayList<>();
            Object[] a = new Object[program.outputs()];
            Object[] b = new Object[program.outputs()];
            Random random = new Random(11);
            long ts = T0;
            for (int n = 0; n < 3_000; n++) {
                ts += n % 401 == 400 ? 50L * 86_400_000 : random.nextInt(600_000) - 60_000; // idle past any ttl
                Object[] fields = event(engine, "{\"ts\": " + ts + ", \"amount\": " + random.nextInt(10_000) / 100.0
                        + ", \"price\": " + (100 + random.nextInt(500) / 100.0) + ", \"country\": \""
                        + "DEFRNL".substring(2 * (n % 3), 2 * (n % 3) + 2) + "\", \"status\": \""
                        + (n % 7 == 0 ? "declined" : "approved") + "\", \"event_type\": \""
                        + (n % 4 == 0 ? "login" : "payment") + "\", \"merchant_id\": \"m" + random.nextInt(20)
                        + "\", \"card_id\": \"k" + random.nextInt(30) + "\"}");
                BytesOut change = new BytesOut(64);
                program.evaluate(fields, ts, straight, a, 0, change);
                changes.add(change.toByteArray());
                if (n % 37 == 36) {
                    KeyState rebuilt = KeyStateCodec.decode(program, whole);
                    for (byte[] logged : changes) {
                        program.replay(new BytesIn(logged), rebuilt);
                    }
                    assertArrayEquals(KeyStateCodec.encode(straight), KeyStateCodec.encode(rebuilt), route.part() + ", event " + n);
                    ts += random.nextInt(60_000);
                    Object[] next = event(engine, "{\"ts\": " + ts + ", \"amount\": 5.0, \"price\": 101.5}");
                    program.evaluate(next, ts, straight, a, 0);
                    program.evaluate(next, ts, rebuilt, b, 0);
                    assertArrayEquals(a, b, route.part() + ", after event " + n);
                    changes.clear();
                    whole = KeyStateCodec.encode(straight);
                }
            }
        }
    }

    @Test
    void aChangeOfAnotherBlockIsRefusedWithTheReason() throws Exception {
        FeaturePlan plan = Plans.dslMdExample();
        FeatureEngine engine = new FeatureEngine(plan);
        BlockProgram card = engine.routes().get(0).program();
        BlockProgram device = engine.routes().get(1).program();
        BytesOut change = new BytesOut(64);
        card.evaluate(event(engine, "{\"ts\": " + T0 + ", \"amount\": 5.0}"), T0, card.newState(), new Object[card.outputs()], 0, change);
        IOException e = assertThrows(IOException.class, () -> device.replay(new BytesIn(change.toByteArray()), device.newState()));
        assertEquals("a change with " + plan.blocks().get(0).inputs().size() + " window inputs; the block has "
                + plan.blocks().get(1).inputs().size(), e.getMessage());
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
