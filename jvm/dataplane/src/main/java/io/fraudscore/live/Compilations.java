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
    /** Loads and warms a model later (ModelCompiler::compile). */
    @FunctionalInterface
    interface Compile {
        CompletableFuture<PmmlModel> compile(byte[] pmml, String scoreField);
    }

    /** The PMML, read only when a compilation starts. */
    @FunctionalInterface
    interface Source {
        byte[] pmml() throws ControlMessageException;
    }

    private final Compile compile;
    private final ModelCompiler owned;
    private Map<String, CompletableFuture<PmmlModel>> memo = new HashMap<>();

    Compilations(Compile compile) {
        this.owned = compile == null ? new ModelCompiler() : null;
        this.compile = compile == null ? owned::compile : compile;
    }

    CompletableFuture<PmmlModel> compile(String key, Source source, String scoreField) {
        CompletableFuture<PmmlModel> known = memo == null ? null : memo.get(key);
        if (known != null) {
            return known;
        }
        CompletableFuture<PmmlModel> started;
        try {
            started = compile.compile(source.pmml(), scoreField);
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
