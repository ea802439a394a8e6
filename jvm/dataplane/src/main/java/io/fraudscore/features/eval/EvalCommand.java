package io.fraudscore.features.eval;

import io.fraudscore.features.engine.EventReader;
import io.fraudscore.features.engine.FeatureEngine;
import io.fraudscore.features.engine.FeatureWriter;
import io.fraudscore.features.plan.InvalidPlanException;
import io.fraudscore.features.plan.PlanReader;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code fraudscore dsl eval} and training in the JVM: reads a feature plan and canonical events (JSON
 * lines) and writes one line of features per event, in input order.
 *
 * <pre>java -cp fraudscore-dataplane.jar io.fraudscore.features.eval.EvalCommand PLAN EVENTS|- OUTPUT|- [--name NAME] [--serve]</pre>
 *
 * A bad line stops everything with {@code NAME:LINE: what is wrong} on stderr and exit status 3 (a bad plan:
 * status 2). With {@code --serve} (the Python engine wrapper's mode) each line is answered and flushed at
 * once, and a bad event is answered with {@code {"error": ...}} instead of stopping.
 */
public final class EvalCommand {
    static final int BAD_PLAN = 2;
    static final int BAD_EVENT = 3;
    static final String NEEDS_TS = "an event needs 'ts' in epoch milliseconds (an integer)";

    private EvalCommand() {}

    public static void main(String[] args) throws IOException {
        System.exit(run(args, System.err));
    }

    static int run(String[] args, PrintStream err) throws IOException {
        if (args.length < 3) {
            err.println("usage: EvalCommand PLAN EVENTS|- OUTPUT|- [--name NAME] [--serve]");
            return BAD_PLAN;
        }
        String name = option(args, "--name", args[1]);
        boolean serve = java.util.Arrays.asList(args).contains("--serve");
        FeatureEngine engine;
        try {
            engine = new FeatureEngine(PlanReader.read(Files.readString(Path.of(args[0]))));
        } catch (InvalidPlanException e) {
            err.println(e.getMessage());
            return BAD_PLAN;
        } catch (NoSuchFileException e) {
            err.println(args[0] + ": no such file");
            return BAD_PLAN;
        }
        try (BufferedReader in = reader(args[1], name, err);
             FeatureWriter out = new FeatureWriter(output(args[2]), engine.featureNames())) {
            return in == null ? BAD_EVENT : evaluate(engine, in, out, name, serve, err);
        }
    }

    private static int evaluate(FeatureEngine engine, BufferedReader in, FeatureWriter out, String name,
                                boolean serve, PrintStream err) throws IOException {
        EventReader events = new EventReader(engine.fields());
        int tsSlot = engine.fields().find("ts");
        int idSlot = engine.fields().slot("event_id");
        int number = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            String problem;
            Object[] event = null;
            try {
                event = events.read(line);
                problem = event != null && event[tsSlot] instanceof Long ? null : NEEDS_TS;
            } catch (IOException e) {
                problem = "not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")";
            }
            if (problem != null && !serve) {
                out.flush();
                err.println(name + ":" + number + ": " + problem);
                return BAD_EVENT;
            }
            if (problem != null) {
                out.writeError(problem);
            } else {
                out.write(event[idSlot], engine.process(event));
            }
            if (serve) {
                out.flush();
            }
        }
        return 0;
    }

    private static BufferedReader reader(String path, String name, PrintStream err) throws IOException {
        if (path.equals("-")) {
            return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16);
        }
        try {
            return Files.newBufferedReader(Path.of(path), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            err.println(name + ": cannot read: No such file or directory");
            return null;
        }
    }

    private static OutputStream output(String path) throws IOException {
        return new BufferedOutputStream(path.equals("-") ? System.out : new FileOutputStream(path), 1 << 16);
    }

    private static String option(String[] args, String flag, String otherwise) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(flag)) {
                return args[i + 1];
            }
        }
        return otherwise;
    }
}
