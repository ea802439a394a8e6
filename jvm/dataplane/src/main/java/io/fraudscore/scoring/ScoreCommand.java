package io.fraudscore.scoring;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scores JSON-lines records with a PMML model in the JVM, as the scoring job does: one line of every output
 * field per record, in input order, in the model's output order, no value as null. Used by the tests that hold
 * the JVM's scores against pypmml's.
 *
 * <pre>java -cp fraudscore-dataplane.jar io.fraudscore.scoring.ScoreCommand PMML [--score-field F] &lt; records.jsonl</pre>
 *
 * A PMML refused ends with its reason on stderr and status 2; a line that is not a JSON object, with
 * {@code LINE: what is wrong} and status 3.
 */
public final class ScoreCommand {
    static final int BAD_PMML = 2;
    static final int BAD_RECORD = 3;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> RECORD = new TypeReference<>() {};

    private ScoreCommand() {}

    public static void main(String[] args) throws IOException {
        System.exit(run(args, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16),
                new BufferedOutputStream(System.out, 1 << 16), System.err));
    }

    static int run(String[] args, BufferedReader in, OutputStream out, PrintStream err) throws IOException {
        if (args.length != 1 && !(args.length == 3 && args[1].equals("--score-field"))) {
            err.println("usage: ScoreCommand PMML [--score-field F] < records.jsonl");
            return BAD_PMML;
        }
        PmmlModel model;
        try {
            model = PmmlLoader.load(Files.readAllBytes(Path.of(args[0])), args.length == 3 ? args[2] : null);
        } catch (NoSuchFileException e) {
            err.println(args[0] + ": no such file");
            return BAD_PMML;
        } catch (InvalidPmmlException e) {
            err.println(e.getMessage());
            return BAD_PMML;
        }
        try (JsonGenerator lines = JSON.getFactory().createGenerator(out)) {
            lines.setRootValueSeparator(null);
            int number = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                Map<String, Object> record;
                try {
                    record = JSON.readValue(line, RECORD);
                } catch (JsonProcessingException e) {
                    lines.flush();
                    err.println(number + ": not a JSON object (" + e.getOriginalMessage() + ")");
                    return BAD_RECORD;
                }
                lines.writeObject(model.score(record));
                lines.writeRaw('\n');
            }
        }
        return 0;
    }
}
