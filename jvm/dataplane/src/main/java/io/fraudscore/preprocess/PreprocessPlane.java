package io.fraudscore.preprocess;

import io.fraudscore.flink.KeyStrings;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.types.Row;

/**
 * The preprocessor's Java operators, placed into the PyFlink-built job through the gateway
 * ({@code preprocessor_job/job.py}): {@link #batch} before the Python adapters, {@link #split} after them.
 */
public final class PreprocessPlane {
    private PreprocessPlane() {}

    /**
     * The raw records (Table API Kafka source rows: value, topic, partition, offset, timestamp) in batches,
     * typed as {@code pickled}: PyFlink's {@code PICKLED_BYTE_ARRAY}, whose Java class this jar does not see.
     */
    public static SingleOutputStreamOperator<byte[]> batch(DataStream<Row> records, String[] topics,
            int maxRecords, int maxBytes, long maxWaitMs, TypeInformation<byte[]> pickled) {
        // Chained to the source (an operator's default): a batch is the only record that leaves its task.
        return records.transform("batch_raw_records", pickled, new MicroBatcher(topics, maxRecords, maxBytes, maxWaitMs))
                .uid("batch_raw_records");
    }

    /** The adapters' answers as events de-duplicated by id within {@code horizonMs}, and rejects. */
    public static Split split(DataStream<byte[]> answers, long horizonMs) {
        SingleOutputStreamOperator<Tuple3<String, String, String>> events = answers
                .process(new SplitOutcomes(), SplitOutcomes.IDENTIFIED_EVENT)
                .name("split_outcomes")
                .uid("split_outcomes");
        DataStream<Row> unique = events
                .keyBy(new DropRepeats.ById(), KeyStrings.TYPE)
                .process(new DropRepeats(horizonMs), SplitOutcomes.KEYED_RECORD)
                .name("drop_repeats")
                .uid("drop_repeats_ttl");
        return new Split(unique, events.getSideOutput(SplitOutcomes.REJECTS));
    }

    /** Events for `events` and rejects for `dlq`, both (k, v) rows. */
    public record Split(DataStream<Row> events, DataStream<Row> rejects) {}
}
