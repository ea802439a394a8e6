package io.fraudscore.scoring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a model costs in the JVM, one line per PMML file: its size; the safe read, PMML4S's load and the
 * warm-up, in ms; the first 100 records scored cold and then warm, in µs a record (median of runs over
 * synthetic records, one record a call) by PMML4S, and warm by the compiled engine ({@code compiled_us}, "-"
 * when the model does not compile: {@code engine} says why). Figures only, for docs/performance-log.md; nothing
 * is asserted.
 *
 * <pre>java -cp fraudscore-dataplane.jar io.fraudscore.scoring.ScoreBench [--records N] PMML...</pre>
 */
public final class ScoreBench {
    private static final int COLD = 100;
    private static final int RUNS = 7;

    private ScoreBench() {}

    public static void main(String[] args) throws IOException, InvalidPmmlException {
        int records = 5_000;
        int first = 0;
        if (args.length > 1 && args[0].equals("--records")) {
            records = Integer.parseInt(args[1]);
            first = 2;
        }
        System.out.println("model\tbytes\tread_ms\tload_ms\tcold_us\twarmup_ms\twarm_us\tcompiled_us\tengine");
        for (String file : Arrays.copyOfRange(args, first, args.length)) {
            byte[] pmml = Files.readAllBytes(Path.of(file));
            long t0 = System.nanoTime();
            SafePmmlReader.read(pmml);
            long t1 = System.nanoTime();
            PmmlModel model = PmmlLoader.load(pmml, null, "pypmml");
            long t2 = System.nanoTime();
            List<Map<String, Object>> timed = SyntheticRecords.of(model.schema(), records, 1L);
            double cold = perRecord(model, timed.subList(0, Math.min(COLD, timed.size())));
            long t3 = System.nanoTime();
            WarmUp.warm(model, WarmUp.DEFAULT_RECORDS);
            long t4 = System.nanoTime();
            double[] warm = new double[RUNS];
            for (int run = 0; run < RUNS; run++) {
                warm[run] = perRecord(model, timed);
            }
            Arrays.sort(warm);
            PmmlModel compiled = PmmlLoader.load(pmml, null, "auto");
            String fast = "-";
            if (compiled.fallbackReason() == null) {
                WarmUp.warm(compiled, WarmUp.DEFAULT_RECORDS * 5);
                double[] runs = new double[RUNS];
                for (int run = 0; run < RUNS; run++) {
                    runs[run] = perRecord(compiled, timed);
                }
                Arrays.sort(runs);
                fast = String.format("%.2f", runs[RUNS / 2]);
            }
            System.out.printf("%s\t%d\t%.0f\t%.0f\t%.1f\t%.0f\t%.2f\t%s\t%s%n", Path.of(file).getFileName(),
                    pmml.length, (t1 - t0) / 1e6, (t2 - t1 - (t1 - t0)) / 1e6, cold, (t4 - t3) / 1e6, warm[RUNS / 2],
                    fast, compiled.engine() + (compiled.fallbackReason() == null ? "" : ": "
                            + compiled.fallbackReason()));
        }
    }

    private static double perRecord(PmmlModel model, List<Map<String, Object>> records) {
        long checksum = 0;
        long start = System.nanoTime();
        for (Map<String, Object> record : records) {
            checksum += model.score(record).hashCode();
        }
        long elapsed = System.nanoTime() - start;
        if (checksum == 42) {
            System.out.print(""); // keeps the scores alive
        }
        return elapsed / 1e3 / records.size();
    }
}
