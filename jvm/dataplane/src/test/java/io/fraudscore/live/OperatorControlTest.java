package io.fraudscore.live;

import static io.fraudscore.live.Signed.KEY;
import static io.fraudscore.live.Signed.deploy;
import static io.fraudscore.live.Signed.lr;
import static io.fraudscore.live.Signed.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudscore.scoring.InvalidPmmlException;
import io.fraudscore.scoring.PmmlLoader;
import io.fraudscore.scoring.PmmlModel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** tests/scoring_job/test_live_models.py's cases, and what compiling off the scoring thread adds to them. */
class OperatorControlTest {
    /** Compiles on the caller's thread: the tests that are not about timing read as Python's. */
    static final BiFunction<byte[], String, CompletableFuture<PmmlModel>> NOW = (pmml, field) -> {
        try {
            return CompletableFuture.completedFuture(PmmlLoader.load(pmml, field));
        } catch (InvalidPmmlException e) {
            return CompletableFuture.failedFuture(e);
        }
    };

    static OperatorControl control() {
        return new OperatorControl(KEY, List.of(), true, NOW);
    }

    static List<String> table(OperatorControl control, MapControlState state) {
        return control.view(state).models().stream()
                .map(m -> m.version() + " " + m.alias() + " " + m.mode() + " " + m.threshold()).toList();
    }

    static List<Long> versions(LiveView view) {
        return view.models().stream().map(LiveModel::version).toList();
    }

    static List<String> specs(MapControlState state) {
        return state.asMap().keySet().stream().filter(k -> k.startsWith("spec:")).sorted().toList();
    }

    @Test
    void aDeployMakesTheModelLiveWithItsVersionAndSettings() {
        MapControlState state = new MapControlState();
        try (OperatorControl control = control()) {
            ControlOutcome outcome = control.apply(deploy(1, 7, lr(), "threshold", 0.9, "mode", "shadow"), state);
            assertEquals(new Applied("lr v7 live as champion (shadow, auto engine)"), outcome);
            LiveModel live = control.view(state).models().get(0);
            assertEquals(List.of("lr", 7L, "shadow", 0.9, "probability(1)", "compiled"), List.of(live.modelId(),
                    live.version(), live.mode(), live.threshold(), live.scoreField(), live.engine()));
        }
    }

    @Test
    void aRestoredSubtaskRebuildsTheLiveModelsFromStateAloneWithTheRealCompiler() {
        MapControlState state = new MapControlState();
        try (OperatorControl first = new OperatorControl(KEY, List.of(), true)) {
            first.apply(deploy(1, 3, lr()), state);
        }
        try (OperatorControl restored = new OperatorControl(KEY, List.of(), true)) {
            LiveModel live = restored.view(state).models().get(0); // waits for the compile: a restore
            assertEquals(3, live.version());
            assertTrue(live.model().scoreOf(live.model().score(Map.of("amount", 900.0))) > 0.5);
        }
    }

    @Test
    void theEngineSettingChoosesTheEngineThatScores() {
        MapControlState state = new MapControlState();
        try (OperatorControl control = new OperatorControl(KEY, List.of(), true)) {
            assertEquals(new Applied("lr v1 live as champion (active, pypmml engine)"),
                    control.apply(deploy(1, 1, lr(), "engine", "pypmml"), state));
            assertEquals("pmml4s", waitFor(control, state, 1).engine());
            control.apply(deploy(2, 2, lr(), "engine", "compiled"), state);
            assertEquals("compiled", waitFor(control, state, 2).engine());
            control.apply(deploy(3, 3, lr()), state);
            assertEquals("compiled", waitFor(control, state, 3).engine(), "auto: compiled when it can");
        }
    }

    @Test
    void theCompiledEngineRefusesWhatItCannotScoreAndAutoFallsBack() {
        byte[] outliers = new String(lr(), StandardCharsets.UTF_8).replace("<MiningField name=\"amount\"/>",
                "<MiningField name=\"amount\" outliers=\"asExtremeValues\" lowValue=\"0\" highValue=\"900\"/>")
                .getBytes(StandardCharsets.UTF_8);
        MapControlState state = new MapControlState();
        try (OperatorControl control = new OperatorControl(KEY, List.of(), true)) {
            control.apply(deploy(1, 1, lr()), state);
            waitFor(control, state, 1);
            String strict = deploy(2, 2, outliers, "engine", "compiled");
            control.apply(strict, state);
            long until = System.currentTimeMillis() + 60_000;
            List<LateRejection> late = List.of();
            while (late.isEmpty() && System.currentTimeMillis() < until) {
                control.view(state);
                late = control.drainLate();
            }
            assertEquals(1, late.size());
            assertEquals("the compiled engine cannot score this model: MiningField 'amount' outliers "
                    + "'asExtremeValues'", late.get(0).rejected().reason());
            assertEquals(1, control.view(state).models().get(0).version(), "the live version stays");
            control.apply(deploy(3, 3, outliers), state);
            LiveModel auto = waitFor(control, state, 3);
            assertEquals("pmml4s", auto.engine(), "auto: PMML4S where the compiled engine cannot");
        }
    }

    private static LiveModel waitFor(OperatorControl control, MapControlState state, long version) {
        long until = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < until) {
            List<LiveModel> models = control.view(state).models();
            if (!models.isEmpty() && models.get(0).version() == version) {
                return models.get(0);
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("v" + version + " never went live");
    }

    static Stream<Arguments> rejections() {
        byte[] pmml = lr();
        String valid = deploy(2, 2, pmml);
        return Stream.of(
                Arguments.of("forged", Signed.message("model.deploy", 2, "lr", 2L, Map.of("pmml", Signed.pack(pmml)),
                        "wrong"), "bad control message signature", false),
                Arguments.of("unsigned", "{\"type\": \"model.deploy\", \"seq\": 5}", "unsigned control message", false),
                Arguments.of("not json", "unsigned", "control message is not JSON", false),
                Arguments.of("older format", "{\"type\": \"model.deploy\", \"seq\": 5, \"model_id\": \"lr\", "
                        + "\"signature\": \"00\"}", "control message of an older format: republish", false),
                Arguments.of("body changed after signing", valid.replace("\\\"seq\\\":2", "\\\"seq\\\": 2"),
                        "bad control message signature", false),
                Arguments.of("stale seq", deploy(1, 2, pmml), "stale seq 1: 1 already applied", false),
                Arguments.of("corrupt pmml", deploy(2, 2, "<PMML xmlns=\"http://www.dmg.org/PMML-4_4\">truncated"
                        .getBytes(StandardCharsets.UTF_8)),
                        "PMML is not well-formed XML", true),
                Arguments.of("a DTD", deploy(2, 2, ("<!DOCTYPE lolz [<!ENTITY lol \"lol\">]><PMML xmlns=\"http://www"
                        + ".dmg.org/PMML-4_4\">&lol;</PMML>").getBytes(StandardCharsets.UTF_8)),
                        "PMML must not declare a DTD or entities", true),
                Arguments.of("unknown type", message("model.explode", 2, null, Map.of()),
                        "unknown control message type", false),
                Arguments.of("bad mode", deploy(2, 2, pmml, "mode", "loud"),
                        "mode must be one of ('active', 'shadow'), got 'loud'", true),
                Arguments.of("bad engine", deploy(2, 2, pmml, "engine", "fast"),
                        "engine must be one of ('auto', 'compiled', 'pypmml'), got 'fast'", true),
                Arguments.of("not an output", deploy(2, 2, pmml, "score_field", "risk"),
                        "score field 'risk' is not an output of the model: ['probability(0)', 'probability(1)']",
                        true),
                Arguments.of("bad payload", message("model.deploy", 2, 2L, Map.of("pmml", "%%")), "not gzip+base64",
                        true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void aRejectedMessageChangesNothingButTheSeqOfAnAuthenticOne(String name, String raw, String reason,
            boolean usesSeq) {
        MapControlState state = new MapControlState();
        try (OperatorControl control = control()) {
            control.apply(deploy(1, 1, lr()), state);
            Map<String, String> before = new HashMap<>(state.asMap());
            ControlOutcome outcome = control.apply(raw, state);
            Rejected rejected = assertInstanceOf(Rejected.class, outcome);
            assertTrue(rejected.reason().contains(reason), rejected.reason());
            if (usesSeq) {
                before.put("seq", "2");
            }
            assertEquals(before, state.asMap());
            assertEquals(List.of(1L), versions(control.view(state)));
        }
    }

    @Test
    void anOperatorThatKeepsNoModelsAgreesOnTheSequenceWithOneThatDoes() {
        MapControlState fullState = new MapControlState();
        MapControlState routerState = new MapControlState();
        try (OperatorControl full = control(); OperatorControl router = new OperatorControl(KEY, List.of(), false, NOW)) {
            String corrupt = deploy(1, 1, "<PMML>cut".getBytes(StandardCharsets.UTF_8));
            assertInstanceOf(Rejected.class, full.apply(corrupt, fullState));
            assertEquals(new Applied("model.deploy lr: not kept here"), router.apply(corrupt, routerState));
            assertInstanceOf(Applied.class, full.apply(deploy(2, 2, lr()), fullState));
            assertInstanceOf(Applied.class, router.apply(deploy(2, 2, lr()), routerState));
            assertInstanceOf(Rejected.class, full.apply(deploy(1, 3, lr()), fullState));
            assertInstanceOf(Rejected.class, router.apply(deploy(1, 3, lr()), routerState));
            assertEquals("2", fullState.get("seq"));
            assertEquals("2", routerState.get("seq"));
            assertEquals(List.of(), router.view(routerState).models());
        }
    }

    @Test
    void retireRemovesTheModelAndItsPmml() {
        MapControlState state = new MapControlState();
        try (OperatorControl control = control()) {
            control.apply(deploy(1, 1, lr()), state);
            assertEquals(new Applied("lr retired"), control.apply(message("model.retire", 2, null, Map.of()), state));
            assertEquals(List.of(), control.view(state).models());
            assertEquals(List.of(), specs(state));
        }
    }

    @Test
    void aNewVersionReplacesTheOldOneAndDropsItsPmmlOnceTheModelsNextMessageShowsItCompiled() {
        MapControlState state = new MapControlState();
        try (OperatorControl control = control()) {
            control.apply(deploy(1, 1, lr()), state);
            control.apply(deploy(2, 2, lr()), state);
            assertEquals(List.of(2L), versions(control.view(state)));
            assertEquals(List.of("spec:lr:2"), specs(state));
            assertTrue(state.asMap().containsKey("fallback:lr"), "v1 kept until v2 is known to compile");
            control.apply(message("model.update", 3, 2L, Map.of("threshold", 0.6)), state);
            assertFalse(state.asMap().containsKey("fallback:lr"));
        }
    }

    @Test
    void aChallengerScoresInShadowNextToTheChampion() {
        MapControlState state = new MapControlState();
        try (OperatorControl control = control()) {
            control.apply(deploy(1, 1, lr()), state);
            assertInstanceOf(Applied.class, control.apply(deploy(2, 2, lr(), "alias", "challenger", "threshold", 0.7),
                    state));
            assertEquals(List.of("1 champion active 0.5", "2 challenger shadow 0.7"), table(control, state));
        }
    }

    @Test
    void promotingTheChallengerMakesItDecideAndRetiresTheOldChampion() {
        MapControlState state = new MapControlState();
        try (OperatorControl control = control()) {
            control.apply(deploy(1, 1, lr()), state);
            control.apply(deploy(2, 2, lr(), "alias", "challenger"), state);
            assertEquals(new Applied("lr v2 now champion (active)"),
                    control.apply(message("alias.set", 3, 2L, Map.of("alias", "champion")), state));
            assertEquals(List.of("2 champion active 0.5"), table(control, state));
            assertEquals(List.of("spec:lr:2"), specs(state));
        }
    }

    @Test
    void aModelKeptInShadowStaysInShadowWhenItsChallengerIsPromoted() {
        MapControlState state = new MapControlState();
        try (OperatorControl control = control()) {
            control.apply(deploy(1, 1, lr(), "mode", "shadow"), state);
            control.apply(deploy(2, 2, lr(), "alias", "challenger"), state);
            control.apply(message("alias.set", 3, 2L, Map.of("alias", "champion")), state);
            assertEquals(List.of("2 champion shadow 0.5"), table(control, state));
        }
    }

    @Test
    void anAliasWithoutAVersionIsTakenAway() {
        MapControlState state = new MapControlState();
        try (OperatorControl control = control()) {
            control.apply(deploy(1, 1, lr()), state);
            control.apply(deploy(2, 2, lr(), "alias", "challenger"), state);
            assertEquals(new Applied("lr: challenger removed"),
                    control.apply(message("alias.set", 3, null, Map.of("alias", "challenger")), state));
            assertEquals(List.of("1 champion active 0.5"), table(control, state));
            assertFalse(state.asMap().containsKey("spec:lr:2"));
        }
    }

    @Test
    void aThresholdOrModeChangesWithoutARedeploy() {
        List<byte[]> compiled = new ArrayList<>();
        MapControlState state = new MapControlState();
        try (OperatorControl control = new OperatorControl(KEY, List.of(), true, (pmml, field) -> {
            compiled.add(pmml);
            return NOW.apply(pmml, field);
        })) {
            control.apply(deploy(1, 4, lr()), state);
            Map<String, Object> payload = new java.util.LinkedHashMap<>();
            payload.put("threshold", 0.85);
            payload.put("mode", "shadow");
            payload.put("event_types", List.of("payment"));
            assertEquals(new Applied("lr v4 (champion): threshold 0.85, mode shadow, event_types ['payment']"),
                    control.apply(message("model.update", 2, 4L, payload), state));
            assertEquals(List.of("4 champion shadow 0.85"), table(control, state));
            assertTrue(control.view(state).models().get(0).scores("payment"));
            assertFalse(control.view(state).models().get(0).scores("login"));
            assertFalse(control.view(state).models().get(0).scores(null));
            assertEquals(1, compiled.size());
        }
    }

    @Test
    void retiringOneVersionLeavesTheOthers() {
        MapControlState state = new MapControlState();
        try (OperatorControl control = control()) {
            control.apply(deploy(1, 1, lr()), state);
            control.apply(deploy(2, 2, lr(), "alias", "challenger"), state);
            assertEquals(new Applied("lr v2 (challenger) retired"),
                    control.apply(message("model.retire", 3, 2L, Map.of()), state));
            assertEquals(List.of("1 champion active 0.5"), table(control, state));
        }
    }

    static Stream<Arguments> aliasRejections() {
        return Stream.of(
                Arguments.of(message("alias.set", 3, 9L, Map.of("alias", "champion")),
                        "lr v9 is not live: deploy it (as challenger, say) first"),
                Arguments.of(message("alias.set", 3, 2L, Map.of("alias", "Champion!")),
                        "alias must be a lowercase name like 'champion' or 'challenger', got 'Champion!'"),
                Arguments.of(message("alias.set", 3, 2L, Map.of()),
                        "alias must be a lowercase name like 'champion' or 'challenger', got None"),
                Arguments.of(message("model.update", 3, 2L, Map.of("mode", "active")),
                        "only the champion decides: a challenger is shadow (promote it with alias.set)"),
                Arguments.of(message("model.update", 3, 1L, Map.of("pmml", "x")),
                        "model.update changes event_types, mode, threshold only, not pmml (a new PMML, engine or"
                                + " score field is a model.deploy)"),
                Arguments.of(message("model.update", 3, 1L, Map.of("threshold", "high")),
                        "threshold must be a number, got 'high'"),
                Arguments.of(message("model.update", 3, 1L, Map.of("event_types", "payment")),
                        "event_types must be a list of event type names"),
                Arguments.of(message("model.update", 3, null, Map.of("threshold", 0.1)),
                        "model.update needs a 'version'"),
                Arguments.of(message("model.retire", 3, 7L, Map.of()), "lr v7 is not live"),
                Arguments.of(Signed.message("model.retire", 3, "nope", null, Map.of(), KEY),
                        "model 'nope' is not live"));
    }

    @ParameterizedTest
    @MethodSource("aliasRejections")
    void anAliasOrSettingsChangeThatCannotApplyChangesNothingButItsSeq(String raw, String reason) {
        MapControlState state = new MapControlState();
        try (OperatorControl control = control()) {
            control.apply(deploy(1, 1, lr()), state);
            control.apply(deploy(2, 2, lr(), "alias", "challenger"), state);
            Map<String, String> before = new HashMap<>(state.asMap());
            before.put("seq", "3");
            Rejected rejected = assertInstanceOf(Rejected.class, control.apply(raw, state));
            assertEquals(reason, rejected.reason());
            assertEquals(before, state.asMap());
        }
    }

    @Test
    void aVersionDeployedUnderAnotherAliasMovesThereCompiledOnce() {
        List<byte[]> compiled = new ArrayList<>();
        MapControlState state = new MapControlState();
        try (OperatorControl control = new OperatorControl(KEY, List.of(), true, (pmml, field) -> {
            compiled.add(pmml);
            return NOW.apply(pmml, field);
        })) {
            control.apply(deploy(1, 1, lr()), state);
            control.apply(deploy(2, 2, lr(), "alias", "challenger", "threshold", 0.7), state);
            assertEquals(new Applied("lr v2 moved from challenger to champion (active, auto engine)"),
                    control.apply(deploy(3, 2, lr(), "threshold", 0.7), state));
            assertEquals(List.of("2 champion active 0.7"), table(control, state));
            assertEquals(List.of("spec:lr:2"), specs(state));
            assertEquals(2, compiled.size(), "the moved version is not compiled again");
            assertEquals(new Applied("lr: no challenger to remove"),
                    control.apply(message("alias.set", 4, null, Map.of("alias", "challenger")), state));
            assertEquals(List.of("2 champion active 0.7"), table(control, state));
            assertEquals("4", state.get("seq"));
        }
    }

    @Test
    void theSettingsOfAVersionNotLiveChangeNothingButTheSeq() {
        MapControlState state = new MapControlState();
        try (OperatorControl control = control()) {
            control.apply(deploy(1, 1, lr()), state);
            Map<String, String> before = new HashMap<>(state.asMap());
            before.put("seq", "2");
            assertEquals(new Applied("lr v5 is not live: nothing to update"),
                    control.apply(message("model.update", 2, 5L, Map.of("threshold", 0.1)), state));
            assertEquals(before, state.asMap());
        }
    }

    @Test
    void aTombstoneIsSkippedWithoutUsingASeq() {
        MapControlState state = new MapControlState();
        try (OperatorControl control = control()) {
            control.apply(deploy(1, 1, lr()), state);
            Map<String, String> before = new HashMap<>(state.asMap());
            assertEquals(new Skipped(), control.apply(null, state));
            assertEquals(before, state.asMap());
            assertEquals(List.of("1 champion active 0.5"), table(control, state));
        }
    }

    // ---- the history: the control topic as found at submission

    @Test
    void beforeTheBroadcastStateHasAnythingTheControlTopicFoundAtSubmissionScores() {
        List<String> history = List.of(deploy(1, 1, lr()), deploy(2, 2, Signed.logistic(0.02, -6), "alias",
                "challenger"));
        List<byte[]> calls = new ArrayList<>();
        MapControlState state = new MapControlState();
        try (OperatorControl control = new OperatorControl(KEY, history, true, (pmml, field) -> {
            calls.add(pmml);
            return NOW.apply(pmml, field);
        })) {
            assertEquals(List.of(1L, 2L), versions(control.view(state)), "events before the control stream");
            for (String raw : history) {
                control.apply(raw, state);
            }
            assertEquals(List.of(1L, 2L), versions(control.view(state)));
            assertEquals("2", state.get("seq"));
            assertEquals(2, calls.size(), "each model compiled once, for the history and the state alike");
            control.apply(deploy(3, 3, lr()), state);
            assertEquals(List.of(3L, 2L), versions(control.view(state)));
        }
    }

    @Test
    void aRestoredStateFurtherOnThanTheHistoryIsUsedAtOnce() {
        MapControlState state = new MapControlState();
        try (OperatorControl before = control()) {
            before.apply(deploy(1, 1, lr()), state);
            before.apply(deploy(2, 2, lr()), state);
        }
        try (OperatorControl control = new OperatorControl(KEY, List.of(deploy(1, 1, lr())), true, NOW)) {
            assertEquals(List.of(2L), versions(control.view(state)));
        }
    }

    @Test
    void aHistoryNewerThanTheRestoredStateServesUntilTheStateCatchesUp() {
        MapControlState state = new MapControlState();
        try (OperatorControl before = control()) {
            before.apply(deploy(1, 1, lr()), state);
        }
        List<String> newer = List.of(deploy(1, 1, lr()), deploy(2, 2, lr()), deploy(3, 3, lr()));
        try (OperatorControl control = new OperatorControl(KEY, newer, true, NOW)) {
            List<List<Long>> seen = new ArrayList<>();
            seen.add(versions(control.view(state)));
            for (String raw : newer.subList(1, 3)) {
                control.apply(raw, state);
                seen.add(versions(control.view(state)));
            }
            assertEquals(List.of(List.of(3L), List.of(3L), List.of(3L)), seen);
        }
    }

    @Test
    void withoutHistoryTheBroadcastStateIsAllThereIs() {
        MapControlState state = new MapControlState();
        try (OperatorControl control = control()) {
            assertEquals(List.of(), control.view(state).models());
            assertNull(control.view(state).features());
            control.apply(deploy(1, 1, lr()), state);
            assertEquals(List.of(1L), versions(control.view(state)));
        }
    }

    // ---- compiling off the scoring thread

    /** A compile function whose compilations finish when the test says. */
    static final class Gated implements BiFunction<byte[], String, CompletableFuture<PmmlModel>> {
        final List<CompletableFuture<PmmlModel>> futures = new ArrayList<>();
        final List<Supplier<Void>> finishers = new ArrayList<>();

        @Override
        public CompletableFuture<PmmlModel> apply(byte[] pmml, String field) {
            CompletableFuture<PmmlModel> future = new CompletableFuture<>();
            futures.add(future);
            finishers.add(() -> {
                try {
                    future.complete(PmmlLoader.load(pmml, field));
                } catch (InvalidPmmlException e) {
                    future.completeExceptionally(new CompletionException(e));
                }
                return null;
            });
            return future;
        }

        void finish(int i) {
            finishers.get(i).get();
        }

        void fail(int i, String reason) {
            futures.get(i).completeExceptionally(new CompletionException(new InvalidPmmlException(reason)));
        }
    }

    @Test
    void theOldVersionScoresUntilTheNewOneIsCompiledThenTheNextEventMeetsTheNewOne() {
        Gated gated = new Gated();
        MapControlState state = new MapControlState();
        try (OperatorControl control = new OperatorControl(KEY, List.of(), true, gated)) {
            control.apply(deploy(1, 1, lr()), state);
            assertEquals(List.of(), versions(control.view(state)), "a first deploy scores once compiled");
            gated.finish(0);
            assertEquals(List.of(1L), versions(control.view(state)));
            assertInstanceOf(Applied.class, control.apply(deploy(2, 2, lr(), "threshold", 0.8), state));
            LiveView during = control.view(state);
            assertEquals(List.of("1 champion active 0.5"), table(control, state), "v1, as it was, while v2 compiles");
            assertTrue(during == control.view(state), "nothing changed: the same view");
            gated.finish(1);
            assertEquals(List.of("2 champion active 0.8"), table(control, state));
            assertEquals(List.of(), control.drainLateRejections());
        }
    }

    @Test
    void aVersionThatFailsToCompileKeepsTheOldOneReportsItAndSurvivesARestartAndTheNextMessage() {
        Gated gated = new Gated();
        MapControlState state = new MapControlState();
        String v2 = deploy(2, 2, Signed.logistic(0.03, -9), "threshold", 0.8);
        try (OperatorControl control = new OperatorControl(KEY, List.of(), true, gated)) {
            control.apply(deploy(1, 1, lr()), state);
            gated.finish(0);
            control.view(state);
            control.apply(v2, state);
            gated.fail(1, "PMML4S cannot load the model: broken");
            assertEquals(List.of("1 champion active 0.5"), table(control, state));
            List<LateRejection> late = control.drainLate();
            assertEquals(List.of(new Rejected("PMML4S cannot load the model: broken", "lr")),
                    late.stream().map(LateRejection::rejected).toList());
            assertEquals(v2, late.get(0).raw());
            assertEquals(List.of(), control.drainLateRejections(), "reported once");
        }
        // A restart: the state names v2, which does not compile; v1 is kept to fall back on.
        BiFunction<byte[], String, CompletableFuture<PmmlModel>> v2Fails = (pmml, field) ->
                new String(pmml, StandardCharsets.UTF_8).contains("coefficient=\"0.03\"")
                        ? CompletableFuture.failedFuture(new InvalidPmmlException("still broken"))
                        : NOW.apply(pmml, field);
        try (OperatorControl restored = new OperatorControl(KEY, List.of(), true, v2Fails)) {
            assertEquals(List.of("1 champion active 0.5"), table(restored, state));
            // The model's next message meets Python's state: v2 never deployed.
            assertEquals(new Applied("lr v1 (champion): threshold 0.6"),
                    restored.apply(message("model.update", 3, 1L, Map.of("threshold", 0.6)), state));
            assertEquals(List.of("spec:lr:1"), specs(state));
            assertFalse(state.asMap().containsKey("fallback:lr"));
            assertEquals(List.of("1 champion active 0.6"), table(restored, state));
        }
    }

    @Test
    void aFirstVersionThatFailsToCompileLeavesNothingLiveAndItsAliasIsGoneAtTheNextMessage() {
        Gated gated = new Gated();
        MapControlState state = new MapControlState();
        try (OperatorControl control = new OperatorControl(KEY, List.of(), true, gated)) {
            control.apply(deploy(1, 1, lr()), state);
            gated.fail(0, "broken");
            assertEquals(List.of(), control.view(state).models());
            assertEquals(1, control.drainLateRejections().size());
            assertEquals(new Applied("lr v1 is not live: nothing to update"),
                    control.apply(message("model.update", 2, 1L, Map.of("threshold", 0.6)), state));
            assertEquals(List.of(), specs(state));
        }
    }

    @Test
    void theRealCompilerSwapsOffTheScoringThread() {
        MapControlState state = new MapControlState();
        try (OperatorControl control = new OperatorControl(KEY, List.of(), true)) {
            control.apply(deploy(1, 1, lr()), state);
            control.awaitCompiles();
            assertEquals(List.of(1L), versions(control.view(state)));
            control.apply(deploy(2, 2, Signed.logistic(0.02, -6)), state);
            long deadline = System.nanoTime() + 60_000_000_000L;
            List<Long> seen = versions(control.view(state));
            while (!seen.equals(List.of(2L)) && System.nanoTime() < deadline) {
                assertTrue(seen.equals(List.of(1L)) || seen.equals(List.of(2L)), seen.toString());
                Thread.onSpinWait();
                seen = versions(control.view(state));
            }
            assertEquals(List.of(2L), seen);
        }
    }
}
