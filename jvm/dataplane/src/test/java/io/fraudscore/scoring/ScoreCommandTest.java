package io.fraudscore.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON-lines entry point the Python tests hold against pypmml. */
class ScoreCommandTest {
    @TempDir
    Path dir;

    private int run(String input, ByteArrayOutputStream out, ByteArrayOutputStream err, String... args)
            throws Exception {
        return ScoreCommand.run(args, new BufferedReader(new StringReader(input)), out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void eachRecordGetsALineOfEveryOutput() throws Exception {
        Path model = Files.write(dir.resolve("m.pmml"), Models.logistic());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = run("{\"amount\": 100, \"txn_count_1h\": 2, \"channel\": \"atm\"}\n\n{\"amount\": null}\n",
                out, err, model.toString());
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertEquals("{\"probability(0)\":0.2689414213699951,\"probability(1)\":0.7310585786300049}\n"
                + "{\"probability(0)\":null,\"probability(1)\":null}\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aRefusedModelAndABadLineStopWithTheirReason() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.pmml"), "<PMML/>");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(ScoreCommand.BAD_PMML, run("", new ByteArrayOutputStream(), err, bad.toString()));
        assertEquals("not a PMML 4.x document (root element 'PMML')\n", err.toString(StandardCharsets.UTF_8));
        Path model = Files.write(dir.resolve("m.pmml"), Models.logistic());
        err.reset();
        assertEquals(ScoreCommand.BAD_RECORD, run("{}\n[1,\n", new ByteArrayOutputStream(), err, model.toString()));
        assertEquals("2: not a JSON object", err.toString(StandardCharsets.UTF_8).split(" \\(")[0]);
    }
}
