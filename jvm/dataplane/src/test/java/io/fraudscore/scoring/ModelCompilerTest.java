package io.fraudscore.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A new version compiles and warms on the compiler's thread while the caller goes on scoring with the old one,
 * and is swapped in at an event boundary: a large forest deploying never stalls the scoring loop.
 */
class ModelCompilerTest {
    private static final Map<String, Object> EVENT = Map.of("amount", 120.0);

    @Test
    void aLargeForestCompilesWhileTheOldVersionKeepsScoring() throws Exception {
        try (ModelCompiler compiler = new ModelCompiler()) {
            PmmlModel live = compiler.compile(Models.forest(1, 2), null).get(60, TimeUnit.SECONDS);
            byte[] large = Models.forest(2, 120); // some 5.6 MB: a second or more to load and warm here
            CompletableFuture<PmmlModel> next = compiler.compile(large, null);
            List<Double> scores = new ArrayList<>();
            while (!next.isDone()) { // the scoring thread's loop: one event, then a look at the deploy
                scores.add(live.scoreOf(live.score(EVENT)));
            }
            live = next.join(); // the swap, between two events
            scores.add(live.scoreOf(live.score(EVENT)));
            assertTrue(scores.size() > 100, "events scored while the forest compiled: " + scores.size());
            assertEquals(List.of(1000.0), scores.stream().limit(scores.size() - 1).distinct().toList());
            assertEquals(2000.0, scores.get(scores.size() - 1));
        }
    }

    @Test
    void aModelIsLoadedAndWarmedOffTheCallersThread() throws Exception {
        try (ModelCompiler compiler = new ModelCompiler(10)) {
            Thread caller = Thread.currentThread();
            // A dependent runs on the thread that completes the future, or on the caller's when it is done already:
            // a forest first keeps the compiler's one thread busy while the dependent is attached (a compiled LR,
            // no longer warmed, was sometimes done that soon).
            compiler.compile(Models.forest(1, 60), null);
            CompletableFuture<Thread> where = compiler.compile(Models.logistic(), null)
                    .thenApply(model -> Thread.currentThread());
            Thread compiling = where.get(60, TimeUnit.SECONDS);
            assertNotEquals(caller, compiling);
            assertEquals("fraudscore-model-compiler", compiling.getName());
        }
    }

    @Test
    void aVersionThatFailsSaysWhyAndReplacesNothing() throws Exception {
        try (ModelCompiler compiler = new ModelCompiler()) {
            PmmlModel live = compiler.compile(Models.logistic(), null).get(60, TimeUnit.SECONDS);
            CompletableFuture<PmmlModel> bad = compiler.compile("<PMML/>".getBytes(StandardCharsets.UTF_8), null);
            CompletionException failed = assertThrows(CompletionException.class, bad::join);
            InvalidPmmlException reason = assertInstanceOf(InvalidPmmlException.class, failed.getCause());
            assertEquals("not a PMML 4.x document (root element 'PMML')", reason.getMessage());
            assertEquals(2, live.score(Map.of("amount", 1.0)).size(), "the live version scores on");
        }
    }

    @Test
    void versionsCompileInTheOrderAsked() throws Exception {
        try (ModelCompiler compiler = new ModelCompiler(10)) {
            List<CompletableFuture<PmmlModel>> versions = new ArrayList<>();
            for (int version = 1; version <= 5; version++) {
                versions.add(compiler.compile(Models.forest(version, 1), null));
            }
            List<Double> done = new ArrayList<>();
            for (CompletableFuture<PmmlModel> version : versions) {
                PmmlModel model = version.get(60, TimeUnit.SECONDS);
                done.add(model.scoreOf(model.score(EVENT)));
            }
            assertEquals(List.of(1000.0, 2000.0, 3000.0, 4000.0, 5000.0), done);
        }
    }
}
