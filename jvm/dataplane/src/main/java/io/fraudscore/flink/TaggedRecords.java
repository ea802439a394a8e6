package io.fraudscore.flink;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.kafka.shaded.org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.flink.types.Row;

/**
 * A (tag, k, v) row as the Kafka record it stands for: to the topic its tag names, k in UTF-8, v the UTF-8
 * bytes it already is. No timestamp is given, so the record is stamped when it is sent, as the Table API sinks
 * before it did (the stream's timestamps are the events' own, from the source).
 */
final class TaggedRecords implements KafkaRecordSerializationSchema<Row> {
    private static final long serialVersionUID = 1L;

    private final HashMap<String, String> topicByTag;

    TaggedRecords(HashMap<String, String> topicByTag) {
        this.topicByTag = topicByTag;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Row row, KafkaSinkContext context, Long timestamp) {
        String tag = (String) row.getField(0);
        String topic = topicByTag.get(tag);
        if (topic == null) {
            throw new IllegalArgumentException("a row tagged '" + tag + "', which names no topic: " + topicByTag);
        }
        String key = (String) row.getField(1);
        byte[] value = (byte[]) row.getField(2);
        return new ProducerRecord<>(topic, null, null, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
    }
}
