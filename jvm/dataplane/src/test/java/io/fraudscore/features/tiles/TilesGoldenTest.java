package io.fraudscore.features.tiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudscore.features.aggregate.AggregateFunction;
import io.fraudscore.features.aggregate.Family;
import io.fraudscore.features.aggregate.Summary;
import io.fraudscore.features.stateful.Golden;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Random event streams (in order, out of order, late, gaps longer than the window; ints, floats, strings,
 * booleans, nulls) replayed through Java's TilePlan and Python's (tiles_golden.txt): every result of
 * every slot, with and without the current event, equals Python's (type and bits), and so does the number
 * of tiles held. Each stream runs twice: straight, and with the state saved and restored every few events.
 */
class TilesGoldenTest {

    /** One aggregate the golden file answers: its slot, its input and its function. */
    private record Answer(int slot, int source, AggregateFunction function) {}

    @TestFactory
    Stream<DynamicTest> matchesPython() throws IOException {
        List<String> lines = Golden.lines("tiles_golden.txt");
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("plan ")) {
                continue;
            }
            String header = lines.get(i);
            int end = i + 1;
            while (end < lines.size() && lines.get(end).startsWith("e ")) {
                end++;
            }
            List<String> events = lines.subList(i + 1, end);
            for (int every : new int[] {0, 7}) {
                String name = header.substring(0, header.indexOf(' ', header.indexOf(' ', 5) + 1))
                        + (every > 0 ? ", saved and restored every " + every + " events" : "");
                tests.add(DynamicTest.dynamicTest(name, () -> replay(header, events, every)));
            }
        }
        assertTrue(tests.size() >= 8, "the golden file holds several plans");
        return tests.stream();
    }

    private static void replay(String header, List<String> events, int saveEvery) throws IOException {
        String[] h = header.split(" ");
        TilePlan plan = new TilePlan(Long.parseLong(h[1]), Long.parseLong(h[2]), Long.parseLong(h[3]));
        List<Answer> answers = new ArrayList<>();
        for (String slot : h[4].split(";")) {
            String[] parts = slot.split(":");
            int source = Integer.parseInt(parts[0]);
            Family family = Family.valueOf(parts[1].toUpperCase(Locale.ROOT));
            for (String f : parts[2].split(",")) {
                AggregateFunction function = AggregateFunction.of(f);
                answers.add(new Answer(plan.accumulatorFor(source, family, function), source, function));
            }
        }
        TiledWindow state = plan.newState();
        int n = 0;
        for (String line : events) {
            String[] e = line.split(" ");
            long ts = Long.parseLong(e[1]);
            boolean late = e[2].equals("1");
            boolean include = e[3].equals("1");
            Object[] inputs = values(e[4]);
            Object[] expected = values(e[5]);
            Summary[] summaries = plan.answerAt(state, ts);
            for (int a = 0; a < answers.size(); a++) {
                Answer answer = answers.get(a);
                Object actual = summaries[answer.slot()].result(answer.function(), inputs[answer.source()], include);
                String where = "event " + n + " (ts " + ts + "), slot " + answer.slot() + " " + answer.function();
                if (expected[a] != null && actual != null) {
                    assertEquals(expected[a].getClass(), actual.getClass(), where);
                }
                assertEquals(expected[a], actual, where);
            }
            plan.add(state, ts, inputs, late);
            assertEquals(Integer.parseInt(e[6]), state.tileCount(), "tiles held after event " + n);
            n++;
            if (saveEvery > 0 && n % saveEvery == 0) {
                state = restore(plan, state);
            }
        }
    }

    private static Object[] values(String text) {
        String[] parts = text.split(",");
        Object[] values = new Object[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = Golden.value(parts[i]);
        }
        return values;
    }

    static TiledWindow restore(TilePlan plan, TiledWindow saved) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            saved.writeTo(out);
        }
        TiledWindow fresh = plan.newState();
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        fresh.readFrom(in);
        assertEquals(-1, in.read(), "readFrom reads all that writeTo wrote");
        return fresh;
    }
}
