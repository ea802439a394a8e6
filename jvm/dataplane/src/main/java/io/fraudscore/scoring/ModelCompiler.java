package io.fraudscore.scoring;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Loads new model versions on a thread of its own (and warms those PMML4S scores: {@link WarmUp#recordsFor}), so
 * that the scoring thread keeps scoring with the version it has and swaps at an event boundary once the future
 * is done:
 *
 * <pre>{@code
 * CompletableFuture<PmmlModel> next = compiler.compile(pmml, null);   // on a deploy
 * ...                                                                  // each event:
 * if (next != null && next.isDone()) { live = next.join(); next = null; }   // (failed: keep live, report)
 * live.score(record);
 * }</pre>
 *
 * Versions compile one at a time, in the order asked. A version that fails completes its future with an
 * {@link InvalidPmmlException} (inside a {@link CompletionException}) and never replaces anything.
 */
public final class ModelCompiler implements AutoCloseable {
    private final ExecutorService executor;
    private final int warmRecords;

    public ModelCompiler() {
        this(WarmUp.DEFAULT_RECORDS);
    }

    public ModelCompiler(int warmRecords) {
        this.warmRecords = warmRecords;
        this.executor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "fraudscore-model-compiler");
            thread.setDaemon(true);
            thread.setPriority(Thread.MIN_PRIORITY);
            return thread;
        });
    }

    /** The loaded model (warmed where PMML4S scores it), later; the caller's thread only queues the work.
     * Engine "auto". */
    public CompletableFuture<PmmlModel> compile(byte[] pmml, String scoreField) {
        return compile(pmml, scoreField, "auto");
    }

    /** The same, scored by {@code engine} as {@link PmmlLoader#load(byte[], String, String)} says. */
    public CompletableFuture<PmmlModel> compile(byte[] pmml, String scoreField, String engine) {
        byte[] copy = pmml.clone();
        return CompletableFuture.supplyAsync(() -> {
            try {
                PmmlModel model = PmmlLoader.load(copy, scoreField, engine);
                WarmUp.warm(model, WarmUp.recordsFor(model, warmRecords));
                return model;
            } catch (InvalidPmmlException e) {
                throw new CompletionException(e);
            }
        }, executor);
    }

    /** Stops the thread; a compilation under way is interrupted and its future never completes. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
