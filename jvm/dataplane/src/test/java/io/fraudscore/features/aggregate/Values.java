package io.fraudscore.features.aggregate;

import java.util.Random;
import java.util.function.Function;

/** Random engine values of one kind, for the contract and the timing main: what windows see in practice. */
enum Values {
    AMOUNTS(r -> {
        double x = Math.round(r.nextDouble() * (r.nextInt(10) == 0 ? 2e8 : 2e5)) / 100.0;
        return r.nextInt(10) == 0 ? -x : x;
    }),
    INTEGERS(r -> switch (r.nextInt(5)) {
        case 0 -> r.nextLong();
        case 1 -> (r.nextBoolean() ? 1 : -1) * ((1L << 53) + r.nextInt(11) - 5);
        case 2 -> r.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
        default -> (long) r.nextInt(200_000) - 1000;
    }),
    MIXED(r -> switch (r.nextInt(12)) {
        case 0 -> 0.1;
        case 1 -> 1e15 + 0.01;
        case 2 -> 12.34;
        case 3 -> r.nextBoolean() ? -0.0 : 0.0;
        case 4 -> r.nextBoolean() ? 1L : 1.0;
        case 5 -> r.nextLong();
        case 6 -> (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(40));
        case 7 -> (r.nextDouble() - 0.5) * 1e-20;
        case 8 -> 0.01;
        case 9 -> (long) r.nextInt(100);
        default -> Math.round(r.nextDouble() * 1e5) / 100.0;
    }),
    TINY(r -> switch (r.nextInt(3)) {
        case 0 -> (r.nextDouble() - 0.5) * Math.pow(10, -140 - r.nextInt(170));
        case 1 -> (r.nextInt(101) - 50) * Double.MIN_VALUE;
        default -> (r.nextBoolean() ? 1 : -1) * (0.5 + r.nextDouble()) * 1e-145;
    }),
    HUGE(r -> switch (r.nextInt(3)) {
        case 0 -> (r.nextDouble() - 0.5) * Math.pow(10, 150 + r.nextInt(159));
        case 1 -> r.nextBoolean() ? Double.MAX_VALUE : -Double.MAX_VALUE;
        default -> 1e15 + Math.round(r.nextDouble() * 100) / 100.0;
    }),
    /** Near the edge of the longs: 0.01 makes k 59, then amounts up to 4e10 need 95 bits and more. */
    EDGE(r -> switch (r.nextInt(4)) {
        case 0 -> 0.01;
        case 1 -> (r.nextBoolean() ? 1 : -1) * Math.round(r.nextDouble() * 4e12) / 100.0;
        case 2 -> (r.nextBoolean() ? 1 : -1) * (Long.MAX_VALUE >> r.nextInt(3));
        default -> Math.round(r.nextDouble() * 4e12) / 100.0;
    }),
    /** Large values close together: the spread is tiny beside n·q and s², so every borrow counts. */
    CLOSE(r -> switch (r.nextInt(3)) {
        case 0 -> (1L << 50) + r.nextInt(3);
        case 1 -> (double) ((1L << 50) + r.nextInt(3));
        default -> (1L << 50) + r.nextInt(3) + (r.nextBoolean() ? 0.25 : 0.5);
    }),
    STRINGS(r -> {
        String[] parts = {"a", "b", "ab", "é", "\uFFFD", "\uE000", "\uD83D\uDE00", "\uD83D\uDE01", "\uD800", "\uDC00", ""};
        StringBuilder s = new StringBuilder();
        for (int i = r.nextInt(3); i >= 0; i--) {
            s.append(parts[r.nextInt(parts.length)]);
        }
        return s.toString();
    }),
    ANYTHING(r -> switch (r.nextInt(6)) {
        case 0 -> STRINGS.draw(r);
        case 1 -> r.nextBoolean();
        case 2 -> r.nextBoolean() ? 1L : 0L;
        case 3 -> r.nextBoolean() ? 1.0 : -0.0;
        default -> MIXED.draw(r);
    });

    private final Function<Random, Object> draw;

    Values(Function<Random, Object> draw) {
        this.draw = draw;
    }

    Object draw(Random r) {
        return draw.apply(r);
    }

    /** Whether the kind is numbers only (what sum, avg, var, stddev, zscore and min/max may take). */
    boolean numeric() {
        return this != STRINGS && this != ANYTHING;
    }
}
