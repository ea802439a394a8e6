package io.fraudscore.preprocess;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.types.Row;

/**
 * Gathers raw Kafka records (the rows of the Table API source: value, topic, partition, offset, Kafka
 * timestamp) into a {@link RawBatch}, sent on as one record when it holds {@code maxRecords} records or
 * {@code maxBytes} bytes, when its first record has waited {@code maxWaitMs}, and before every checkpoint
 * barrier: a checkpoint never holds a record in a batch, so it needs no state, and exactly-once stays so.
 */
public final class MicroBatcher extends AbstractStreamOperator<byte[]>
        implements OneInputStreamOperator<Row, byte[]> {
    private static final long serialVersionUID = 1L;

    private final String[] topics;
    private final int maxRecords;
    private final int maxBytes;
    private final long maxWaitMs;
    private transient Map<String, Integer> topicIndex;
    private transient RawBatch batch;
    private transient StreamRecord<byte[]> reuse;
    private transient long generation; // which batch a timer was set for: a batch sent before it fires is gone

    public MicroBatcher(String[] topics, int maxRecords, int maxBytes, long maxWaitMs) {
        if (maxRecords < 1 || maxBytes < 1 || maxWaitMs < 0) {
            throw new IllegalArgumentException("a batch needs room for a record and a wait of 0 ms or more");
        }
        this.topics = topics.clone();
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
        this.maxWaitMs = maxWaitMs;
    }

    @Override
    public void open() throws Exception {
        super.open();
        topicIndex = new HashMap<>();
        for (int i = 0; i < topics.length; i++) {
            topicIndex.put(topics[i], i);
        }
        batch = new RawBatch();
        reuse = new StreamRecord<>(null);
    }

    @Override
    public void processElement(StreamRecord<Row> element) {
        Row row = element.getValue();
        Integer topic = topicIndex.get((String) row.getField(1));
        if (topic == null) {
            throw new IllegalStateException("a record of a topic the job does not read: " + row.getField(1));
        }
        Instant time = (Instant) row.getField(4);
        batch.add(topic, (Integer) row.getField(2), (Long) row.getField(3),
                time == null ? -1 : time.toEpochMilli(), (byte[]) row.getField(0));
        if (batch.records() >= maxRecords || batch.bytes() >= maxBytes || maxWaitMs == 0) {
            flush();
        } else if (batch.records() == 1) {
            long forBatch = generation;
            ProcessingTimeCallback whenDue = now -> {
                if (generation == forBatch) {
                    flush();
                }
            };
            getProcessingTimeService().registerTimer(
                    getProcessingTimeService().getCurrentProcessingTime() + maxWaitMs, whenDue);
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    private void flush() {
        if (batch.records() == 0) {
            return;
        }
        output.collect(reuse.replace(batch.toPickle()));
        batch.clear();
        generation++;
    }
}
