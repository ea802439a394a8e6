package io.fraudscore.features.stateful;

import java.util.List;

/** Builds a fresh stateful function from the plan's name and parameters. */
public final class StatefulFunctions {
    private StatefulFunctions() {}

    /**
     * {@code params} in DSL order: prev, logret: none; ema: [span]; ewma: [half_life_ms]; rsi: [period];
     * macd: [fast, slow, signal]; bollinger: [period, k].
     *
     * @throws IllegalArgumentException for an unknown function or the wrong number of parameters
     */
    public static StatefulFunction create(String function, List<? extends Number> params) {
        return switch (function) {
            case "prev" -> {
                expect(function, params, 0);
                yield new Prev();
            }
            case "logret" -> {
                expect(function, params, 0);
                yield new LogReturn();
            }
            case "ema" -> {
                expect(function, params, 1);
                yield new Ema(params.get(0));
            }
            case "ewma" -> {
                expect(function, params, 1);
                yield new Ewma(params.get(0));
            }
            case "rsi" -> {
                expect(function, params, 1);
                yield new Rsi(params.get(0));
            }
            case "macd" -> {
                expect(function, params, 3);
                yield new Macd(params.get(0), params.get(1), params.get(2));
            }
            case "bollinger" -> {
                expect(function, params, 2);
                yield new Bollinger(params.get(0), params.get(1));
            }
            default -> throw new IllegalArgumentException("unknown stateful function " + function);
        };
    }

    private static void expect(String function, List<? extends Number> params, int count) {
        if (params.size() != count) {
            throw new IllegalArgumentException(function + " takes " + count + " parameters, got " + params);
        }
        for (Number p : params) {
            if (p == null || !(p.doubleValue() > 0)) {
                throw new IllegalArgumentException(function + " parameters are positive numbers, got " + params);
            }
        }
    }
}
