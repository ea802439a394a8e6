package io.fraudscore.flink;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.types.Row;

/**
 * The scoring job's way out: one Kafka sink (one producer, one transaction per checkpoint in exactly-once) for
 * {@code scores}, {@code alerts} and {@code dlq}, each (tag, k, v) row to the topic its tag names. It replaced a
 * Table API sink per topic, which copied every row three times, converted it to the planner's rows and kept
 * three producers, all on the assembly's thread.
 */
public final class ScoringSink {
    private ScoringSink() {}

    /**
     * @param scores the topic of the rows tagged {@link ScoringOperators#TO_SCORES}; {@code alerts} and
     *     {@code dlq} those of {@code TO_ALERTS} and {@code TO_DLQ}
     * @param transactionalIdPrefix the prefix of the sink's Kafka transactions in exactly-once (unique per job)
     * @param producerConfig Kafka producer settings (linger, batch size, transaction timeout, ...)
     */
    public static void add(DataStream<Row> tagged, String bootstrap, String scores, String alerts, String dlq,
            boolean exactlyOnce, String transactionalIdPrefix, Map<String, String> producerConfig) {
        Properties properties = new Properties();
        properties.putAll(producerConfig);
        KafkaSinkBuilder<Row> builder = KafkaSink.<Row>builder()
                .setBootstrapServers(bootstrap)
                .setKafkaProducerConfig(properties)
                .setRecordSerializer(new TaggedRecords(new HashMap<>(Map.of(ScoringOperators.TO_SCORES, scores,
                        ScoringOperators.TO_ALERTS, alerts, ScoringOperators.TO_DLQ, dlq))))
                .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE);
        if (exactlyOnce) {
            builder.setTransactionalIdPrefix(transactionalIdPrefix);
        }
        tagged.sinkTo(builder.build()).uid("scoring_sink").name("ScoringSink");
    }
}
