package io.fraudscore.preprocess;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

/**
 * Keyed by event id: the first event with an id goes on as a (key, JSON) row; the same id again within the
 * horizon (a channel's resend, a producer's retry) is dropped. The id is forgotten {@code horizon} after it
 * was first seen, by state TTL (processing time, set on creation only): no timer per event.
 */
public final class DropRepeats
        extends KeyedProcessFunction<String, Tuple3<String, String, String>, Row> {
    private static final long serialVersionUID = 1L;

    /** Stable state name: savepoints find the de-duplication state by it. */
    public static final String SEEN = "seen";

    private final long horizonMs;
    private transient ValueState<Boolean> seen;

    public DropRepeats(long horizonMs) {
        this.horizonMs = horizonMs;
    }

    /** The state of one id: seen or not, for {@code horizon} after it was first written. */
    public static ValueStateDescriptor<Boolean> seenDescriptor(Duration horizon) {
        ValueStateDescriptor<Boolean> descriptor = new ValueStateDescriptor<>(SEEN, Types.BOOLEAN);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(horizon)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        return descriptor;
    }

    @Override
    public void open(OpenContext context) {
        seen = getRuntimeContext().getState(seenDescriptor(Duration.ofMillis(horizonMs)));
    }

    @Override
    public void processElement(Tuple3<String, String, String> event, Context ctx, Collector<Row> out)
            throws Exception {
        if (seen.value() != null) {
            return;
        }
        seen.update(Boolean.TRUE);
        out.collect(Row.of(event.f1, event.f2));
    }

    /** An event's id, the first field. */
    public static final class ById implements KeySelector<Tuple3<String, String, String>, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Tuple3<String, String, String> event) {
            return event.f0;
        }
    }
}
