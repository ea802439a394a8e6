package io.fraudscore.features.stateful;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every stateful function against the Python engine's values (stateful_golden.txt) over random price
 * sequences, ints and floats mixed, big ints, signs and extremes. Bit for bit where Python does only
 * + - * / and sqrt (prev, ema, rsi, macd, bollinger.mid); within a relative 1e-12 where Python calls the
 * C library's log or pow (logret; ewma's 0.5 ** t; bollinger's (v - mid) ** 2 in upper and lower). The
 * type always matches: a Python int is a Long, a float a Double.
 */
class StatefulGoldenTest {
    private static final double RELATIVE = 1e-12;

    @TestFactory
    Stream<DynamicTest> matchesPython() throws IOException {
        Map<String, List<long[]>> times = new HashMap<>();
        Map<String, List<Object>> inputs = new HashMap<>();
        List<DynamicTest> tests = new ArrayList<>();
        List<String> lines = Golden.lines("stateful_golden.txt");
        for (int i = 0; i < lines.size(); i++) {
            String[] parts = lines.get(i).split(" ");
            if (parts[0].equals("seq")) {
                List<long[]> ts = new ArrayList<>();
                List<Object> xs = new ArrayList<>();
                for (int j = 2; j < parts.length; j++) {
                    int colon = parts[j].indexOf(':');
                    ts.add(new long[] {Long.parseLong(parts[j].substring(0, colon))});
                    xs.add(Golden.value(parts[j].substring(colon + 1)));
                }
                times.put(parts[1], ts);
                inputs.put(parts[1], xs);
            } else if (parts[0].equals("fn")) {
                String function = parts[1];
                List<Number> params = new ArrayList<>();
                if (!parts[2].equals("-")) {
                    for (String p : parts[2].split(",")) {
                        params.add((Number) Golden.value(p));
                    }
                }
                String seq = parts[3];
                String[] expected = lines.get(++i).substring(2).split(" ");
                for (boolean roundTrip : new boolean[] {false, true}) {
                    String name = function + params + " over " + seq + (roundTrip ? ", saved and restored" : "");
                    tests.add(DynamicTest.dynamicTest(name, () -> replay(
                            function, params, times.get(seq), inputs.get(seq), expected, roundTrip)));
                }
            }
        }
        assertTrue(tests.size() > 200, "the golden file holds every function over every sequence");
        return tests.stream();
    }

    private static void replay(String function, List<Number> params, List<long[]> ts, List<Object> xs,
            String[] expected, boolean roundTrip) throws IOException {
        assertEquals(xs.size(), expected.length);
        StatefulFunction state = StatefulFunctions.create(function, params);
        String[] members = switch (function) {
            case "macd" -> new String[] {"line", "signal", "hist"};
            case "bollinger" -> new String[] {"mid", "upper", "lower"};
            default -> new String[] {null};
        };
        for (int step = 0; step < xs.size(); step++) {
            state.update(xs.get(step), ts.get(step)[0]);
            if (roundTrip) {
                state = restore(state, StatefulFunctions.create(function, params));
            }
            String[] want = expected[step].split(",");
            for (int m = 0; m < members.length; m++) {
                Object actual = state.value(members[m]);
                Object wanted = Golden.value(want[m]);
                String where = function + " ." + members[m] + " after " + (step + 1) + " values";
                compare(wanted, actual, tolerant(function, members[m]), where);
            }
        }
    }

    /** Where Python calls libm's log or pow, whose last bit may differ from Java's. */
    private static boolean tolerant(String function, String member) {
        return function.equals("logret") || function.equals("ewma")
                || (function.equals("bollinger") && !member.equals("mid"));
    }

    static void compare(Object wanted, Object actual, boolean tolerant, String where) {
        if (wanted == null || actual == null) {
            assertEquals(wanted, actual, where);
            return;
        }
        assertEquals(wanted.getClass(), actual.getClass(), where + ": " + wanted + " vs " + actual);
        if (wanted instanceof Double w && tolerant) {
            double a = (Double) actual;
            if (Math.abs(a - w) > RELATIVE * Math.abs(w)) {
                fail(where + ": expected " + w + " within 1e-12, got " + a);
            }
        } else {
            assertEquals(wanted, actual, where); // Double.equals: bit for bit, -0.0 apart from 0.0
        }
    }

    static StatefulFunction restore(StatefulFunction saved, StatefulFunction fresh) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            saved.writeTo(out);
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        fresh.readFrom(in);
        assertEquals(-1, in.read(), "readFrom reads all that writeTo wrote");
        assertNotNull(fresh);
        return fresh;
    }
}
