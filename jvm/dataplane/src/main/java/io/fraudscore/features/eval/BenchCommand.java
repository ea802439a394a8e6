package io.fraudscore.features.eval;

import io.fraudscore.features.engine.EventReader;
import io.fraudscore.features.engine.FeatureEngine;
import io.fraudscore.features.plan.InvalidPlanException;
import io.fraudscore.features.plan.PlanReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's own throughput, warm, in one thread, with no I/O in the timing: events are read into arrays
 * first; fresh engines run over them for 5 s untimed (the JIT compiles the hot paths in that time: with
 * 2 runs of 50,000 events instead, runs measured half as fast); then each timed run starts a fresh engine,
 * gives its keys state with the first {@code warmup} events and times the rest.
 * Prints the best run's events/s (the machine is shared: the best run is the engine's). Run by
 * bench/dsl_engine.py beside the Python reference.
 *
 * <pre>java -cp fraudscore-dataplane.jar io.fraudscore.features.eval.BenchCommand PLAN EVENTS RUNS WARMUP</pre>
 */
public final class BenchCommand {
    private static final long WARM_UP_NANOS = 5_000_000_000L;
    private static long checksum;

    private BenchCommand() {}

    public static void main(String[] args) throws IOException, InvalidPlanException {
        String plan = Files.readString(Path.of(args[0]));
        int runs = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        FeatureEngine reading = new FeatureEngine(PlanReader.read(plan));
        EventReader reader = new EventReader(reading.fields());
        List<Object[]> events = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8)) {
            events.add(reader.read(line));
        }
        long warmUntil = System.nanoTime() + WARM_UP_NANOS;
        while (System.nanoTime() < warmUntil) { // the JIT's compilations done before anything is timed
            timedRun(plan, events, warmup);
        }
        double best = 0;
        for (int run = 0; run < runs; run++) {
            best = Math.max(best, (events.size() - warmup) / (timedRun(plan, events, warmup) / 1e9));
        }
        System.out.printf("{\"events_per_s\": %.0f, \"events\": %d, \"checksum\": %d}%n", best,
                events.size() - warmup, checksum);
    }

    /** Nanoseconds a fresh engine takes over the events after the first {@code warmup}, which give its keys
     * some state first, untimed. */
    private static long timedRun(String plan, List<Object[]> events, int warmup) throws InvalidPlanException {
        FeatureEngine engine = new FeatureEngine(PlanReader.read(plan));
        for (int i = 0; i < warmup; i++) {
            engine.process(events.get(i));
        }
        long started = System.nanoTime();
        for (int i = warmup; i < events.size(); i++) {
            checksum += engine.process(events.get(i)).length; // keeps the JIT from dropping the work
        }
        return System.nanoTime() - started;
    }
}
