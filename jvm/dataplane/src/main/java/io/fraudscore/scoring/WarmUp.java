package io.fraudscore.scoring;

import java.util.List;
import java.util.Map;

/**
 * Scores a freshly loaded model on synthetic records before anyone else does: PMML4S's first calls after a
 * load are some 50x slower than warm ones (class loading, lazy initialisation, the JIT), and that cost
 * belongs to the compiling thread, not to the first events after a swap. A model the compiled engine scores
 * needs none: {@link PmmlLoader} has just scored it on its check's records, it holds nothing lazy, and its
 * classes are the engine's, which every compiled model keeps hot.
 */
public final class WarmUp {
    /** Enough for the figures in README "PMML4S in the JVM" to reach their warm level on the models measured. */
    public static final int DEFAULT_RECORDS = 2_000;
    private static final long SEED = 20_261_124L;

    private WarmUp() {}

    /** How many of {@code records} {@code model} needs: none when the compiled engine scores it. */
    public static int recordsFor(PmmlModel model, int records) {
        return model.engine().equals(PmmlLoader.COMPILED) ? 0 : records;
    }

    /** Scores {@code records} synthetic records; returns a checksum so the JIT cannot drop the work. */
    public static long warm(PmmlModel model, int records) {
        List<Map<String, Object>> made = SyntheticRecords.of(model.schema(), records, SEED);
        long checksum = 0;
        for (Map<String, Object> record : made) {
            checksum += model.score(record).hashCode();
        }
        return checksum;
    }
}
