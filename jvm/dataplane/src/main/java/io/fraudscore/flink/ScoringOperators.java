package io.fraudscore.flink;

import java.util.List;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.types.Row;

/**
 * The scoring job's per-event path, in Java, added to a job that Python builds (scoring_job/job.py calls
 * {@link #add} through PyFlink's gateway with its Kafka sources, then {@link ScoringSink#add} on the rows):
 *
 * <pre>
 *   events ─> RouteEvents ──(by part key)──> ComputeFeatures ──(by customer)──> AssembleAndScore ─> (tag, k, v)
 * </pre>
 *
 * Each operator reads {@code control} as a broadcast stream into its broadcast state, and starts from the
 * control topic as it stood when the job was built ({@code history}) until that state has caught up. The
 * uids and state names are stable: savepoints find the state by them.
 */
public final class ScoringOperators {
    public static final String TO_SCORES = "scores";
    public static final String TO_ALERTS = "alerts";
    public static final String TO_DLQ = "dlq";
    static final MapStateDescriptor<String, String> CONTROL_STATE =
            new MapStateDescriptor<>("control_state", Types.STRING, Types.STRING);
    /** (tag, k, v) rows: the sink each goes to (scores, alerts or dlq), its Kafka key and value (UTF-8 JSON). */
    public static final RowTypeInfo TAGGED_RECORD = new RowTypeInfo(
            new TypeInformation<?>[] {Types.STRING, Types.STRING, Types.PRIMITIVE_ARRAY(Types.BYTE)},
            new String[] {"tag", "k", "v"});

    private ScoringOperators() {}

    /**
     * Canonical events (UTF-8 JSON, as read from Kafka) and the control records in; out, the TAGGED_RECORD rows
     * of score records, alerts, scoring failures, rejected control messages and events that are not canonical.
     * {@code logsStateChanges}: the job runs on Flink's changelog state backend, so its features log each event's
     * change to a key's state, not the whole state ({@link ComputeFeatures}).
     */
    public static DataStream<Row> add(DataStream<byte[]> events, DataStream<String> control, String signingKey,
            List<String> history, long partWaitMs, long startWaitMs, boolean logsStateChanges) {
        BroadcastStream<String> broadcast = control.broadcast(CONTROL_STATE);
        TypeInformation<Routed> routedType = TypeInformation.of(Routed.class);
        SingleOutputStreamOperator<Routed> routed = events.connect(broadcast)
                .process(new RouteEvents(signingKey, history), routedType)
                .uid("route_events").name("RouteEvents");
        SingleOutputStreamOperator<Routed> parts = routed.keyBy(RouteKey.KEY, KeyStrings.TYPE).connect(broadcast)
                .process(new ComputeFeatures(signingKey, history, logsStateChanges), routedType)
                .uid("compute_features").name("ComputeFeatures");
        return parts.keyBy(RouteKey.KEY, KeyStrings.TYPE).connect(broadcast)
                .process(new AssembleAndScore(signingKey, history, partWaitMs, startWaitMs), TAGGED_RECORD)
                .uid("assemble_and_score").name("AssembleAndScore");
    }

    /** The key of a routed event's next exchange. */
    private enum RouteKey implements org.apache.flink.api.java.functions.KeySelector<Routed, String> {
        KEY;

        @Override
        public String getKey(Routed routed) {
            return routed.key;
        }
    }
}
