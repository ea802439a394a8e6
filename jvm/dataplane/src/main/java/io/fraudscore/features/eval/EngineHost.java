package io.fraudscore.features.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudscore.features.engine.EventReader;
import io.fraudscore.features.engine.FeatureEngine;
import io.fraudscore.features.engine.FeatureWriter;
import io.fraudscore.features.engine.StateSizes;
import io.fraudscore.features.plan.InvalidPlanException;
import io.fraudscore.features.plan.PlanReader;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Many feature engines in one JVM, driven line by line over stdin/stdout: how Python (dsl/jvm.py: training,
 * explain, the tests) runs the JVM engine without a JVM start per feature set. One request a line, one
 * answer a line, in order:
 *
 * <pre>
 * P {plan}        -> {"engine": N}                       a new engine on a feature plan
 * E N {event}     -> {"event_id": ..., "features": {...}} one event through engine N
 * S N             -> {"parts": [{"part", "keys", "bytes", "entries"}, ...]}   its state, serialized
 * D N             -> {"dropped": N}
 * </pre>
 *
 * Anything wrong with a request is answered {@code {"error": "..."}} and the host goes on.
 */
public final class EngineHost {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Hosted(FeatureEngine engine, EventReader reader, FeatureWriter writer, int tsSlot, int idSlot) {}

    private final Map<Integer, Hosted> engines = new HashMap<>();
    private final OutputStream out;
    private final FeatureWriter errors;
    private int next = 1;

    private EngineHost(OutputStream out) throws IOException {
        this.out = out;
        this.errors = new FeatureWriter(out, java.util.List.of());
    }

    public static void main(String[] args) throws IOException {
        OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
        EngineHost host = new EngineHost(out);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16);
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            host.answer(line);
            if (!in.ready()) {
                out.flush(); // answered everything sent so far: let the caller read it
            }
        }
        out.flush();
    }

    private void answer(String line) throws IOException {
        try {
            switch (line.isEmpty() ? ' ' : line.charAt(0)) {
                case 'P' -> create(line.substring(2));
                case 'E' -> event(line);
                case 'S' -> sizes(hosted(line.substring(2).trim()));
                case 'D' -> drop(line.substring(2).trim());
                default -> errors.writeError("unknown request: " + abbreviate(line));
            }
        } catch (RequestException e) {
            errors.writeError(e.getMessage());
        } catch (RuntimeException e) { // a fault of the engine's own: said, and the host serves on
            errors.writeError("internal error in the JVM engine: " + e);
        }
        errors.drain();
    }

    private void create(String plan) throws IOException {
        FeatureEngine engine;
        try {
            engine = new FeatureEngine(PlanReader.read(plan));
        } catch (InvalidPlanException e) {
            throw new RequestException(e.getMessage());
        }
        int id = next++;
        int idSlot = engine.fields().slot("event_id");
        engines.put(id, new Hosted(engine, new EventReader(engine.fields()),
                new FeatureWriter(out, engine.featureNames()), engine.fields().find("ts"), idSlot));
        reply(Map.of("engine", id));
    }

    private void event(String line) throws IOException {
        int space = line.indexOf(' ', 2);
        if (space < 0) {
            throw new RequestException("an event request is 'E N {event}'");
        }
        Hosted hosted = hosted(line.substring(2, space));
        Object[] event;
        try {
            event = hosted.reader().read(line.substring(space + 1));
        } catch (IOException e) {
            throw new RequestException("not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (event == null || !(event[hosted.tsSlot()] instanceof Long)) {
            throw new RequestException(EvalCommand.NEEDS_TS);
        }
        hosted.writer().write(event[hosted.idSlot()], hosted.engine().process(event));
        hosted.writer().drain();
    }

    private void sizes(Hosted hosted) throws IOException {
        reply(Map.of("parts", StateSizes.measure(hosted.engine())));
    }

    private void drop(String id) throws IOException {
        hosted(id);
        engines.remove(Integer.parseInt(id));
        reply(Map.of("dropped", Integer.parseInt(id)));
    }

    private Hosted hosted(String id) {
        try {
            Hosted hosted = engines.get(Integer.parseInt(id));
            if (hosted != null) {
                return hosted;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new RequestException("no engine " + abbreviate(id));
    }

    private void reply(Object value) throws IOException {
        out.write(JSON.writeValueAsBytes(value));
        out.write('\n');
    }

    private static String abbreviate(String text) {
        return text.length() > 80 ? text.substring(0, 80) + "..." : text;
    }

    /** A request that cannot be answered; the host says why and goes on. */
    private static final class RequestException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RequestException(String message) {
            super(message);
        }
    }
}
