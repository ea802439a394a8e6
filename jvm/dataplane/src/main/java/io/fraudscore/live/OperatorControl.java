package io.fraudscore.live;

import io.fraudscore.control.ControlDecoder;
import io.fraudscore.scoring.ModelCompiler;
import io.fraudscore.scoring.PmmlModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiFunction;

/**
 * What an operator routes and scores by (Python's {@code OperatorControl} with its {@code LiveModels}): its
 * broadcast state, and, until that has caught up, the control topic as the job found it when it was submitted
 * ({@code history}). Flink reads {@code events} and {@code control} side by side from the first moment, so on a
 * first start events come in before the models and feature set do; they are scored by the history instead of
 * by nothing. After a restore the broadcast state is further on (or the history newer, when messages came while
 * the job was down: then it serves until replayed).
 *
 * <p>Models compile on a thread of their own ({@link ModelCompiler}): {@link #apply} checks a deployed PMML
 * cheaply, writes the state and starts the compile; {@link #view} keeps scoring each alias with the version it
 * had until the new one is loaded and warmed, and swaps at the first event after that. A version that fails to
 * compile never replaces a working one; its rejection comes from {@link #drainLateRejections}.
 *
 * <p>A restore (a new instance over a state that names models, or a history) has no version "it had": the first
 * {@link #view} waits until the models the state names are compiled, as Python, which compiles them
 * synchronously, does. Scoring them with nothing would drop or mis-score events (a missing champion is no
 * decision at all), and after a restore the job is catching up anyway. A model's next control message also waits
 * for that model's compilations still under way, so that it applies to the state Python would hold.
 *
 * <p>Not thread-safe; one per operator instance, built in {@code open()} (it holds compiled models and a
 * thread: transient).
 */
public final class OperatorControl implements AutoCloseable {
    private final Compilations compilations;
    private final LiveModels live;
    private final Queue<LateRejection> late = new ConcurrentLinkedQueue<>();
    private LiveModels history;
    private ControlState historyState;
    private final long historySeq;
    private Boolean caughtUp; // null: the broadcast state not read yet

    /**
     * @param signingKey the key control messages are signed with
     * @param history the control topic's records as the job found them at submission, in order
     * @param keepsModels false for an operator that routes events and scores none: model messages are verified
     *     and their {@code seq} applied, their PMML neither compiled nor kept
     */
    public OperatorControl(String signingKey, List<String> history, boolean keepsModels) {
        this(signingKey, history, keepsModels, null);
    }

    /** With the compile function of a test ({@code ModelCompiler::compile} otherwise, on a thread it owns). */
    public OperatorControl(String signingKey, List<String> history, boolean keepsModels,
            BiFunction<byte[], String, CompletableFuture<PmmlModel>> compile) {
        ControlDecoder decoder = new ControlDecoder(signingKey);
        compilations = new Compilations(compile == null ? null : compile::apply);
        live = new LiveModels(decoder, keepsModels, compilations, late::add);
        if (history.isEmpty()) {
            historySeq = -1;
            caughtUp = true;
            return;
        }
        this.history = new LiveModels(decoder, keepsModels, compilations, null);
        historyState = new MapControlState();
        for (String raw : history) {
            this.history.apply(raw, historyState);
        }
        this.history.markRestored();
        historySeq = LiveModels.appliedSeq(historyState);
    }

    /** Applies a control message (from {@code processBroadcastElement}) to the broadcast state. */
    public ControlOutcome apply(String raw, ControlState state) {
        ControlOutcome outcome = live.apply(raw, state);
        if (!Boolean.TRUE.equals(caughtUp)) {
            seeProgress(state);
        }
        return outcome;
    }

    /**
     * What is live for the next event: cheap when nothing changed (the view is rebuilt after a control message,
     * or when a compilation it waits for is done). The first call after a restore may wait for compilations.
     */
    public LiveView view(ControlState state) {
        if (caughtUp == null) { // the first event: a restored broadcast state may be ahead already
            seeProgress(state);
        }
        if (caughtUp || history == null) {
            return live.view(state);
        }
        return history.view(historyState);
    }

    /** Deployed versions found not to compile since the last call, with the reason (for {@code dlq}). */
    public List<Rejected> drainLateRejections() {
        return drainLate().stream().map(LateRejection::rejected).toList();
    }

    /** The same as {@link #drainLateRejections}, each with the start of the message that deployed it. */
    public List<LateRejection> drainLate() {
        List<LateRejection> drained = new ArrayList<>();
        for (LateRejection next; (next = late.poll()) != null; ) {
            drained.add(next);
        }
        return drained;
    }

    /**
     * Waits until every compilation under way is done (failures are reported as usual), then the next view
     * scores with what the state names: for tests and replays that want Python's synchronous order.
     */
    public void awaitCompiles() {
        live.awaitCompiles();
        if (history != null) {
            history.awaitCompiles();
        }
    }

    /** Stops the compiler thread. */
    @Override
    public void close() {
        compilations.close();
    }

    private void seeProgress(ControlState state) {
        caughtUp = LiveModels.appliedSeq(state) >= historySeq;
        if (caughtUp && history != null) { // seq only grows: the history is done with
            live.inherit(history.shown());
            // Until now the state only repeated the history: its versions are those a first start scores its
            // first events with, so the first events wait for them, as for a restored state's.
            live.markRestored();
            history = null;
            historyState = null;
            compilations.forget();
        }
    }
}
