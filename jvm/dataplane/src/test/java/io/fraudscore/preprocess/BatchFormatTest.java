package io.fraudscore.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The batch formats shared with {@code preprocessor_job/batch.py}: the hex strings below are what Python
 * writes and reads, and {@code tests/preprocessor_job/test_batch.py} checks the same strings on its side.
 */
class BatchFormatTest {
    private static final HexFormat HEX = HexFormat.of();

    /** Two records: topic 1, partition 0, offset 7, at 1,000 ms, "{}"; topic 4, partition 1, offset 2^40, no time, 0xff. */
    static final String RAW_BATCH = "8003423b0000000000000100000000000000000000000700000000000003e8000000027b7d"
            + "00000004000000010000010000000000ffffffffffffffff00000001ff2e";

    /** An event (id "w1", key "c1", {"a":1}) and a reject (channel "web", {}), as Python 3.11 pickles them. */
    static final String ANSWER = "00000000020000000200000007773163317b2261223a317d010000000000000003000000027765627b7d";

    @Test
    void aBatchIsThePickleOfItsRecords() {
        RawBatch batch = new RawBatch();
        batch.add(1, 0, 7, 1_000, "{}".getBytes(StandardCharsets.UTF_8));
        batch.add(4, 1, 1L << 40, -1, new byte[] {(byte) 0xff});
        assertEquals(2, batch.records());
        assertEquals(2 * RawBatch.RECORD_HEADER + 3, batch.bytes());
        assertEquals(RAW_BATCH, HEX.formatHex(batch.toPickle()));
    }

    @Test
    void aClearedBatchStartsAgain() {
        RawBatch batch = new RawBatch();
        batch.add(0, 0, 1, 1, new byte[100]);
        batch.clear();
        batch.add(1, 0, 7, 1_000, "{}".getBytes(StandardCharsets.UTF_8));
        batch.add(4, 1, 1L << 40, -1, new byte[] {(byte) 0xff});
        assertEquals(RAW_BATCH, HEX.formatHex(batch.toPickle()));
    }

    @ParameterizedTest(name = "pickle protocol {0}")
    @ValueSource(strings = {
        "8003432a" + ANSWER + "71002e", // protocol 3: SHORT_BINBYTES, then BINPUT
        "8004952e00000000000000432a" + ANSWER + "942e", // protocol 4: FRAME, SHORT_BINBYTES, MEMOIZE
        "8005952e00000000000000432a" + ANSWER + "942e",
    })
    void anAnswerIsReadFromWhatPythonPickles(String pickle) {
        assertEquals(List.of("event w1 c1 {\"a\":1}", "reject web {}"), read(HEX.parseHex(pickle)));
    }

    @Test
    void aLongAnswerIsReadFromBinbytes() {
        byte[] answer = HEX.parseHex(ANSWER.repeat(10));
        byte[] pickle = new byte[2 + 1 + 4 + answer.length + 1];
        pickle[0] = (byte) 0x80;
        pickle[1] = 4;
        pickle[2] = 'B';
        pickle[3] = (byte) answer.length;
        pickle[4] = (byte) (answer.length >> 8);
        System.arraycopy(answer, 0, pickle, 7, answer.length);
        pickle[pickle.length - 1] = '.';
        assertEquals(20, read(pickle).size());
    }

    @Test
    void anEmptyAnswerHasNoOutcome() {
        assertEquals(List.of(), read(HEX.parseHex("80049504000000000000004300942e")));
    }

    @Test
    void whatIsNotAPickledAnswerIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> read("{}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> read(HEX.parseHex("80045d942e"))); // a list
        assertThrows(IllegalArgumentException.class, () -> read(HEX.parseHex("800343ff" + ANSWER))); // too short
        assertThrows(IllegalArgumentException.class, () -> read(HEX.parseHex("8003430d" + "09" + ANSWER.substring(2, 26))));
    }

    @Test
    void theBatchFormatsNameNoFlinkClass() throws IOException {
        for (String name : List.of("RawBatch", "Outcomes", "Outcomes$Visitor")) {
            Path file = Path.of("target", "classes", "io", "fraudscore", "preprocess", name + ".class");
            String constants = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            assertEquals(false, constants.contains("org/apache/flink"), name);
        }
        try (Stream<Path> files = Files.list(Path.of("target", "classes", "io", "fraudscore", "preprocess"))) {
            assertEquals(true, files.count() > 3);
        }
    }

    @Test
    void rawBytesSurviveTheRoundTrip() {
        byte[] raw = {0, (byte) 0xc3, 0x28, (byte) 0xff, 10};
        RawBatch batch = new RawBatch();
        batch.add(2, 3, 4, 5, raw);
        byte[] pickle = batch.toPickle();
        assertArrayEquals(raw, java.util.Arrays.copyOfRange(pickle, 7 + RawBatch.RECORD_HEADER, pickle.length - 1));
    }

    private static List<String> read(byte[] pickle) {
        List<String> seen = new ArrayList<>();
        Outcomes.read(pickle, new Outcomes.Visitor() {
            @Override
            public void event(String id, String key, String json) {
                seen.add("event " + id + " " + key + " " + json);
            }

            @Override
            public void reject(String channel, String dlqRecord) {
                seen.add("reject " + channel + " " + dlqRecord);
            }
        });
        return seen;
    }
}
