package io.fraudscore.preprocess;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The adapters' answer to a batch ({@link Outcomes}) as single records: each event as (id, key, JSON) on
 * the main output, for {@link DropRepeats}; each reject as a (channel, dlq record) row on {@link #REJECTS}.
 */
public final class SplitOutcomes extends ProcessFunction<byte[], Tuple3<String, String, String>> {
    private static final long serialVersionUID = 1L;

    /** (k, v) rows: the Kafka sinks write k as the record's key and v as its value. */
    public static final TypeInformation<Row> KEYED_RECORD =
            Types.ROW_NAMED(new String[] {"k", "v"}, Types.STRING, Types.STRING);

    public static final TypeInformation<Tuple3<String, String, String>> IDENTIFIED_EVENT =
            Types.TUPLE(Types.STRING, Types.STRING, Types.STRING);

    public static final OutputTag<Row> REJECTS = new OutputTag<>("dlq", KEYED_RECORD);

    @Override
    public void processElement(byte[] answer, Context ctx, Collector<Tuple3<String, String, String>> out) {
        Outcomes.read(answer, new Outcomes.Visitor() {
            @Override
            public void event(String id, String key, String json) {
                out.collect(Tuple3.of(id, key, json));
            }

            @Override
            public void reject(String channel, String dlqRecord) {
                ctx.output(REJECTS, Row.of(channel, dlqRecord));
            }
        });
    }
}
