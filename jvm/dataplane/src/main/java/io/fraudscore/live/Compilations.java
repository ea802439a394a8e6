package io.fraudscore.live;

import io.fraudscore.control.ControlMessageException;
import io.fraudscore.scoring.ModelCompiler;
import io.fraudscore.scoring.PmmlModel;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Model versions compiled off the scoring thread, shared by an operator's two {@link LiveModels} (its state's and
 * its history's) while both need them, so each version compiles once (Python's {@code _Memo}). A version is
 * known by its model id, version, the {@code seq} of the message that deployed it and its score field: one
 * deploy, one PMML.
 */
final class Compilations implements AutoCloseable {
    /** Loads and warms a model later (ModelCompiler::compile); a test's, which scores with the engine it likes. */
    @FunctionalInterface
    interface Compile {
        CompletableFuture<PmmlModel> compile(byte[] pmml, String scoreField);
    }

    /** ModelCompiler::compile with the deploy's engine setting. */
    @FunctionalInterface
    private interface CompileWithEngine {
        CompletableFuture<PmmlModel> compile(byte[] pmml, String scoreField, String engine);
    }

    /** The PMML, read only when a compilation starts. */
    @FunctionalInterface
    interface Source {
        byte[] pmml() throws ControlMessageException;
    }

    private final CompileWithEngine compile;
    private final ModelCompiler owned;
    private Map<String, CompletableFuture<PmmlModel>> memo = new HashMap<>();

    Compilations(Compile compile) {
        this.owned = compile == null ? new ModelCompiler() : null;
        this.compile = compile == null ? owned::compile : (pmml, field, engine) -> compile.compile(pmml, field);
    }

    CompletableFuture<PmmlModel> compile(String key, Source source, String scoreField, String engine) {
        CompletableFuture<PmmlModel> known = memo == null ? null : memo.get(key);
        if (known != null) {
            return known;
        }
        CompletableFuture<PmmlModel> started;
        try {
            started = compile.compile(source.pmml(), scoreField, engine);
        } catch (ControlMessageException e) {
            started = CompletableFuture.failedFuture(e);
        }
        if (memo != null) {
            memo.put(key, started);
        }
        return started;
    }

    /** Both sides no longer need sharing: compile each time asked (the caller keeps what it uses). */
    void forget() {
        memo = null;
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.close();
        }
    }
}
