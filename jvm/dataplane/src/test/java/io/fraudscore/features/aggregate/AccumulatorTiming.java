package io.fraudscore.features.aggregate;

import java.util.EnumSet;
import java.util.Random;
import java.util.Set;

/**
 * Not a test: a timing main for the per-event cost of a sliding accumulator, add + remove + result over a
 * 1,000-value window of two-decimal amounts (about 12.34, and now and then 0.01, which makes k 59).
 * Run after {@code mvn test-compile}:
 * {@code java -cp target/classes:target/test-classes io.fraudscore.features.aggregate.AccumulatorTiming}
 */
public final class AccumulatorTiming {
    private static final int WINDOW = 1000;
    private static final int EVENTS = 1 << 20;

    private AccumulatorTiming() {}

    public static void main(String[] args) {
        Random r = new Random(1);
        Object[] amounts = new Object[EVENTS];
        for (int i = 0; i < EVENTS; i++) {
            amounts[i] = r.nextInt(50) == 0 ? 0.01 : Math.round(r.nextDouble() * 200_000) / 100.0;
        }
        Object[] cards = new Object[EVENTS];
        for (int i = 0; i < EVENTS; i++) {
            cards[i] = "card-" + r.nextInt(300);
        }
        for (int round = 0; round < 3; round++) { // the first rounds warm the JIT up
            boolean report = round == 2;
            for (AggregateFunction f : new AggregateFunction[] {AggregateFunction.COUNT, AggregateFunction.SUM,
                AggregateFunction.AVG, AggregateFunction.VAR, AggregateFunction.STDDEV, AggregateFunction.ZSCORE}) {
                time(f.toString(), Family.MOMENTS, EnumSet.of(f), f, amounts, report);
            }
            time("MIN", Family.MIN, EnumSet.of(AggregateFunction.MIN), AggregateFunction.MIN, amounts, report);
            time("LAST", Family.ENDS, EnumSet.of(AggregateFunction.LAST), AggregateFunction.LAST, amounts, report);
            time("DISTINCT of 300 cards", Family.DISTINCT, EnumSet.of(AggregateFunction.DISTINCT),
                    AggregateFunction.DISTINCT, cards, report);
        }
    }

    private static void time(String name, Family family, Set<AggregateFunction> functions, AggregateFunction f,
                             Object[] values, boolean report) {
        Accumulator a = Accumulators.create(family, functions);
        long sink = 0;
        long start = System.nanoTime();
        for (int i = 0; i < EVENTS; i++) {
            Object x = values[i];
            a.add(i, x);
            if (i >= WINDOW) {
                a.remove(i - WINDOW, values[i - WINDOW]);
            }
            Object result = a.result(f, x, true);
            sink += result == null ? 0 : result.hashCode();
        }
        long elapsed = System.nanoTime() - start;
        if (report) {
            System.out.printf("%-22s %6.1f ns per add + remove + result   (%d)%n", name, (double) elapsed / EVENTS,
                    sink & 1);
        }
    }
}
