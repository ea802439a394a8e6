package io.fraudscore.scoring;

import java.util.List;
import java.util.Map;

/**
 * Scores a freshly loaded model on synthetic records before anyone else does: PMML4S's first calls after a
 * load are some 50x slower than warm ones (class loading, lazy initialisation, the JIT), and that cost
 * belongs to the compiling thread, not to the first events after a swap.
 */
public final class WarmUp {
    /** Enough for the figures in README "Performance" to reach their warm level on the models measured. */
    public static final int DEFAULT_RECORDS = 2_000;
    private static final long SEED = 20_261_124L;

    private WarmUp() {}

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
