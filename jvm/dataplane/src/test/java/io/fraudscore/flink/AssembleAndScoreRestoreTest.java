package io.fraudscore.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * The assembly's waiting events live on the task's heap, not in keyed state: a checkpoint must still hold each
 * event waiting for parts, and a restore (at the same parallelism or another) must give it back, with its timer,
 * to the subtask that owns its customer. Real operator, real snapshots (Flink's test harness), no models: what
 * is checked is what waits.
 */
class AssembleAndScoreRestoreTest {
    private static final int MAX_PARALLELISM = 128;
    private static final long WAIT_MS = 1_000;
    private static final String[] PARTS = {"card", "device", "merchant"};

    @Test
    void anEventWaitingAtACheckpointIsCompletedByThePartsAfterTheRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (Harness first = new Harness(1, 0, null)) {
            first.harness.processElement(part("c-1", "e-1", "card", true), 0);
            first.harness.processElement(part("c-1", "e-1", "device", false), 0);
            assertNotNull(first.waiting("c-1", "e-1"));
            snapshot = first.harness.snapshot(1, 0);
        }
        try (Harness second = new Harness(1, 0, snapshot)) {
            Pending restored = second.waiting("c-1", "e-1");
            assertNotNull(restored);
            assertEquals(2, restored.arrived);
            assertEquals(List.of("card", "device"), List.of(restored.got));
            second.harness.processElement(part("c-1", "e-1", "merchant", false), 0);
            assertNull(second.waiting("c-1", "e-1"), "complete: scored and gone");
            assertEquals(0, second.function.waitingCount());
        }
    }

    @Test
    void aRestoredEventsTimerStillEndsItsWait() throws Exception {
        OperatorSubtaskState snapshot;
        long now = System.currentTimeMillis(); // the harness's processing time, beside the operator's start
        try (Harness first = new Harness(1, 0, null)) {
            first.harness.setProcessingTime(now);
            first.harness.processElement(part("c-1", "e-1", "card", true), 0);
            snapshot = first.harness.snapshot(1, 0);
        }
        try (Harness second = new Harness(1, 0, snapshot)) {
            second.harness.setProcessingTime(now + WAIT_MS - 1);
            assertFalse(second.waiting("c-1", "e-1").scored);
            second.harness.setProcessingTime(now + WAIT_MS);
            Pending mark = second.waiting("c-1", "e-1");
            assertNotNull(mark);
            assertTrue(mark.scored, "scored without the parts not in, and marked so that they are dropped");
            second.harness.processElement(part("c-1", "e-1", "device", false), 0);
            assertTrue(second.waiting("c-1", "e-1").scored);
        }
    }

    @Test
    void atAnotherParallelismEachWaitingEventGoesToTheSubtaskThatOwnsItsCustomer() throws Exception {
        OperatorSubtaskState snapshot;
        int events = 40;
        try (Harness first = new Harness(1, 0, null)) {
            for (int i = 0; i < events; i++) {
                first.harness.processElement(part("c-" + i, "e-" + i, "card", true), 0);
            }
            snapshot = first.harness.snapshot(1, 0);
        }
        int restored = 0;
        for (int subtask = 0; subtask < 2; subtask++) {
            OperatorSubtaskState share = AbstractStreamOperatorTestHarness.repartitionOperatorState(
                    snapshot, MAX_PARALLELISM, 1, 2, subtask);
            try (Harness second = new Harness(2, subtask, share)) {
                for (int i = 0; i < events; i++) {
                    boolean owned = KeyGroupRangeAssignment.assignKeyToParallelOperator("c-" + i, MAX_PARALLELISM, 2)
                            == subtask;
                    assertEquals(owned, second.waiting("c-" + i, "e-" + i) != null, "c-" + i);
                }
                restored += second.function.waitingCount();
                second.harness.setProcessingTime(Long.MAX_VALUE / 2); // their timers came along: each is scored
                for (int i = 0; i < events; i++) {
                    Pending entry = second.waiting("c-" + i, "e-" + i);
                    assertTrue(entry == null || entry.scored);
                }
            }
        }
        assertEquals(events, restored);
    }

    @Test
    void eventsAJobBeforeThisOneKeptInKeyedStateAreTakenOver() throws Exception {
        OperatorSubtaskState snapshot;
        long now = System.currentTimeMillis();
        try (KeyedBroadcastOperatorTestHarness<String, Routed, String, Row> before =
                harness(new KeptInKeyedState(), 1, 0)) {
            before.initializeEmptyState();
            before.open();
            before.setProcessingTime(now);
            before.processElement(part("c-1", "e-1", "card", true), 0); // waits for two parts
            before.processElement(part("c-2", "e-2", "card", true), 0); // waits past its deadline
            snapshot = before.snapshot(1, 0);
        }
        try (Harness after = new Harness(1, 0, snapshot)) {
            after.harness.processElement(part("c-1", "e-1", "device", false), 0);
            assertEquals(2, after.waiting("c-1", "e-1").arrived, "taken over at its next part");
            after.harness.processElement(part("c-1", "e-1", "merchant", false), 0);
            assertNull(after.waiting("c-1", "e-1"), "complete: scored and gone");
            after.harness.setProcessingTime(now + WAIT_MS);
            assertTrue(after.waiting("c-2", "e-2").scored, "taken over at its timer, scored without the rest");
        }
    }

    /** What the assembly kept before its waiting events left keyed state: an entry in "pending", and a timer. */
    private static final class KeptInKeyedState extends KeyedBroadcastProcessFunction<String, Routed, String, Row> {
        private transient MapState<String, Pending> pending;

        @Override
        public void open(OpenContext context) {
            pending = getRuntimeContext().getMapState(new MapStateDescriptor<>(AssembleAndScore.PENDING_STATE,
                    Types.STRING, TypeInformation.of(Pending.class)));
        }

        @Override
        public void processElement(Routed routed, ReadOnlyContext ctx, Collector<Row> out) throws Exception {
            Pending entry = new Pending();
            entry.eventUtf8 = routed.event;
            entry.localUtf8 = routed.local;
            entry.featureSet = routed.featureSet;
            entry.parts = routed.parts;
            entry.got = new String[] {routed.part};
            entry.partFeatures = new String[] {new String(routed.features, StandardCharsets.UTF_8)};
            entry.arrived = 1;
            entry.deadline = ctx.timerService().currentProcessingTime() + WAIT_MS;
            pending.put(routed.eventId, entry);
            ctx.timerService().registerProcessingTimeTimer(entry.deadline);
        }

        @Override
        public void processBroadcastElement(String value, Context ctx, Collector<Row> out) {}
    }

    private static KeyedBroadcastOperatorTestHarness<String, Routed, String, Row> harness(
            KeyedBroadcastProcessFunction<String, Routed, String, Row> function, int parallelism, int subtask)
            throws Exception {
        var harness = new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(function, List.of(ScoringOperators.CONTROL_STATE)),
                routed -> routed.key, Types.STRING, MAX_PARALLELISM, parallelism, subtask);
        harness.setup();
        return harness;
    }

    private static Routed part(String customer, String eventId, String part, boolean carriesEvent) {
        Routed routed = new Routed();
        routed.key = customer;
        routed.assembledAt = customer;
        routed.eventId = eventId;
        routed.parts = PARTS;
        routed.part = part;
        routed.features = ("{\"" + part + "_n\":1}").getBytes(StandardCharsets.UTF_8);
        routed.featureSet = "payments:1";
        if (carriesEvent) {
            routed.carriesEvent = true;
            routed.event = ("{\"event_id\":\"" + eventId + "\",\"customer_id\":\"" + customer + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            routed.local = "{}".getBytes(StandardCharsets.UTF_8);
        }
        return routed;
    }

    /** One subtask of the assembly in Flink's harness, fresh or restored from a snapshot. */
    private static final class Harness implements AutoCloseable {
        final AssembleAndScore function = new AssembleAndScore("a signing key", List.of(), WAIT_MS, 0);
        final KeyedBroadcastOperatorTestHarness<String, Routed, String, Row> harness;

        Harness(int parallelism, int subtask, OperatorSubtaskState restoreFrom) throws Exception {
            harness = AssembleAndScoreRestoreTest.harness(function, parallelism, subtask);
            if (restoreFrom != null) {
                harness.initializeState(restoreFrom);
            } else {
                harness.initializeEmptyState();
            }
            harness.open();
        }

        Pending waiting(String customer, String eventId) {
            return function.waitingFor(customer, eventId);
        }

        @Override
        public void close() throws Exception {
            harness.close();
        }
    }
}
