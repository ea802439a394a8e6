package io.fraudscore.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.fraudscore.control.ControlDecoder;
import io.fraudscore.control.ControlMessage;
import io.fraudscore.control.ControlMessageException;
import io.fraudscore.features.plan.FeaturePlan;
import io.fraudscore.features.plan.InvalidPlanException;
import io.fraudscore.features.plan.PlanReader;
import io.fraudscore.scoring.InvalidPmmlException;
import io.fraudscore.scoring.PmmlModel;
import io.fraudscore.scoring.PmmlSchema;
import io.fraudscore.scoring.SafePmmlReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Python's {@code LiveModels}: applies control messages to state, and keeps the compiled form of what the state
 * holds. The state's keys and rules are Python's; what differs is when a model compiles. Python compiles a
 * deploy before it writes the state; here {@link #apply} checks the PMML cheaply ({@link SafePmmlReader}: XML,
 * no DTD, a PMML 4.x model with its fields defined), writes the state as Python does, and starts the compile on
 * the compiler's thread. The alias keeps scoring with the version it had until the new one is compiled and
 * warmed; if it does not compile, the alias keeps that version for good (kept in state under {@code
 * fallback:<model>} so that a restart finds it) and the failure is reported late. The model's next message first
 * waits for its compilations and writes the state Python would have (the failed version never deployed), so
 * every later message of the model meets Python's state. The control topic is compacted: a deploy of a version
 * live under another alias moves it (compiled once), the removal of an alias not live changes nothing, and a
 * tombstone is skipped. Not thread-safe.
 */
final class LiveModels {
    static final String LIVE = "live";
    static final String SEQ = "seq";
    static final String FEATURES = "features";
    static final String PREVIOUS_FEATURES = "features_previous";
    static final String CHAMPION = "champion";
    private static final String FALLBACK = "fallback:";
    private static final List<String> MODES = List.of("active", "shadow");
    private static final List<String> ENGINES = List.of("auto", "compiled", "pypmml");
    private static final Set<String> UPDATABLE = new TreeSet<>(Set.of("threshold", "mode", "event_types"));
    private static final Pattern ALIAS = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    private static final int MAX_DSL_BYTES = 1024 * 1024;
    private static final List<String> POSITIVE = List.of("probability(1)", "probability(true)", "probability(1.0)");
    private static final int KEPT_FEATURE_SETS = 3;
    static final ObjectMapper JSON = new ObjectMapper();

    /** A version's compilation as this instance sees it: started by one of its deploys, or for a restored state. */
    private record Compilation(String modelId, CompletableFuture<PmmlModel> future, boolean fromApply) {}

    private final ControlDecoder decoder;
    private final boolean keepsModels;
    private final Compilations compilations;
    private final Consumer<LateRejection> late; // null: failures not reported (a history's)
    private final Map<String, Compilation> compiled = new HashMap<>();
    private final Map<String, LiveFeatureSet> featureSets = new LinkedHashMap<>(); // by the state's text of them
    private final Set<String> reported = new HashSet<>();
    private Map<String, LiveModel> shown = new HashMap<>(); // model id \0 alias -> what the last view scored with
    private LiveView view;
    private List<Compilation> waiting = List.of();

    LiveModels(ControlDecoder decoder, boolean keepsModels, Compilations compilations, Consumer<LateRejection> late) {
        this.decoder = decoder;
        this.keepsModels = keepsModels;
        this.compilations = compilations;
        this.late = late;
    }

    /**
     * Verify, check {@code seq}, check the content, then change state. A forged, unsigned, stale or malformed
     * message changes nothing; an authentic one whose content cannot go live changes nothing but use up its
     * {@code seq}, so every operator agrees on the sequence, also one that keeps the feature set only. A tombstone
     * (null) is skipped: no {@code seq} used, nothing reported.
     */
    ControlOutcome apply(String raw, ControlState state) {
        if (raw == null) {
            return new Skipped();
        }
        view = null;
        ControlMessage message;
        try {
            message = decoder.decode(raw.getBytes(StandardCharsets.UTF_8));
        } catch (ControlMessageException e) {
            return new Rejected(e.getMessage(), null);
        }
        long last = appliedSeq(state);
        if (message.seq() <= last) {
            return new Rejected("stale seq " + message.seq() + ": " + last + " already applied", message.modelId());
        }
        ControlOutcome outcome;
        try {
            outcome = dispatch(message, state, raw);
        } catch (ControlMessageException | InvalidPmmlException | InvalidPlanException e) {
            outcome = new Rejected(e.getMessage(), message.modelId());
        }
        state.put(SEQ, Long.toString(message.seq()));
        return outcome;
    }

    /** What is live; rebuilt after a change, or when a compilation it waits for is done. */
    LiveView view(ControlState state) {
        if (view != null && waiting.stream().noneMatch(c -> c.future().isDone())) {
            return view;
        }
        List<Compilation> nowWaiting = new ArrayList<>();
        Map<String, LiveModel> nowShown = new HashMap<>();
        List<LiveModel> models = keepsModels ? models(state, nowWaiting, nowShown) : List.of();
        shown = nowShown;
        waiting = nowWaiting;
        view = new LiveView(models, features(state), previousFeatures(state));
        return view;
    }

    /** The models a view of another instance scored with: scored with here while their successors compile. */
    void inherit(Map<String, LiveModel> before) {
        before.forEach(shown::putIfAbsent);
        view = null;
    }

    Map<String, LiveModel> shown() {
        return shown;
    }

    /** What this instance compiled so far counts as a restored state's: the first view waits for it. */
    void markRestored() {
        compiled.replaceAll((key, c) -> new Compilation(c.modelId(), c.future(), false));
    }

    /** Waits for every compilation under way (a test's or a replay's way to make compiling synchronous). */
    void awaitCompiles() {
        compiled.values().forEach(c -> outcome(c.future()));
        view = null;
    }

    LiveFeatureSet features(ControlState state) {
        return featureSet(state.get(FEATURES));
    }

    LiveFeatureSet previousFeatures(ControlState state) {
        return featureSet(state.get(PREVIOUS_FEATURES));
    }

    static long appliedSeq(ControlState state) {
        String seq = state.get(SEQ);
        return seq == null || seq.isEmpty() ? -1 : Long.parseLong(seq);
    }

    // ---- the view

    private List<LiveModel> models(ControlState state, List<Compilation> nowWaiting, Map<String, LiveModel> nowShown) {
        List<LiveModel> models = new ArrayList<>();
        Set<String> inUse = new HashSet<>();
        ObjectNode table = table(state);
        for (String modelId : new TreeSet<>(names(table))) {
            ObjectNode aliases = (ObjectNode) table.get(modelId);
            ObjectNode fallbacks = fallbacks(state, modelId);
            if (fallbacks != null) { // kept compiled while what replaced them may still fail
                fallbacks.forEach(kept -> inUse.add(compileKey(modelId, (ObjectNode) kept.get("entry"))));
            }
            for (String alias : aliasOrder(aliases)) {
                ObjectNode entry = (ObjectNode) aliases.get(alias);
                String spec = specKey(modelId, version(entry));
                Compilation c = compilation(modelId, entry, () -> unpack(modelId, state.get(spec)), null);
                inUse.add(compileKey(modelId, entry));
                String shownKey = modelId + "\0" + alias;
                if (!c.future().isDone()) {
                    LiveModel before = shown.get(shownKey);
                    if (before != null || c.fromApply()) {
                        nowWaiting.add(c); // swapped in at the first event after it is done
                        if (before != null) {
                            models.add(before);
                            nowShown.put(shownKey, before);
                        }
                        continue;
                    }
                    // A restored state's version: the first events wait for it, as Python's compile them first.
                }
                PmmlModel model = success(c.future());
                if (model == null && fallbacks != null && fallbacks.get(alias) != null) {
                    entry = (ObjectNode) fallbacks.get(alias).get("entry");
                    String packed = fallbacks.get(alias).get("spec").textValue();
                    c = compilation(modelId, entry, () -> unpack(modelId, packed), null);
                    inUse.add(compileKey(modelId, entry));
                    model = success(c.future());
                }
                if (model == null) {
                    reportRestored(c, compileKey(modelId, entry));
                    continue;
                }
                LiveModel live = live(modelId, alias, entry, model);
                models.add(live);
                nowShown.put(shownKey, live);
            }
        }
        compiled.keySet().retainAll(inUse);
        return models;
    }

    private static LiveModel live(String modelId, String alias, ObjectNode entry, PmmlModel model) {
        Set<String> eventTypes = new LinkedHashSet<>();
        entry.path("event_types").forEach(type -> eventTypes.add(type.textValue()));
        return new LiveModel(modelId, version(entry), alias, entry.get("mode").textValue(),
                entry.get("threshold").doubleValue(), eventTypes, model.scoreField(), model.engine(), model);
    }

    /** Champion first, then the other aliases by name (Python: sorted keys, then a stable sort on != champion). */
    private static List<String> aliasOrder(ObjectNode aliases) {
        List<String> order = new ArrayList<>();
        TreeSet<String> sorted = new TreeSet<>(names(aliases));
        if (sorted.remove(CHAMPION)) {
            order.add(CHAMPION);
        }
        order.addAll(sorted);
        return order;
    }

    private Compilation compilation(String modelId, ObjectNode entry, Compilations.Source source, String raw) {
        String key = compileKey(modelId, entry);
        Compilation known = compiled.get(key);
        if (known != null) {
            return known;
        }
        JsonNode scoreField = entry.get("score_field");
        String field = scoreField == null || scoreField.isNull() ? null : scoreField.textValue();
        CompletableFuture<PmmlModel> future = compilations.compile(key, source, field, engineOf(entry));
        Compilation made = new Compilation(modelId, future, raw != null);
        if (raw != null && late != null) {
            String start = Rejected.prefix(raw);
            future.whenComplete((model, error) -> {
                if (error != null && !(unwrap(error) instanceof CancellationException)) {
                    late.accept(new LateRejection(new Rejected(reason(error), modelId), start));
                }
            });
            reported.add(key);
        }
        compiled.put(key, made);
        return made;
    }

    /** A version named by a restored state that does not compile (and has nothing to fall back on): said once. */
    private void reportRestored(Compilation c, String key) {
        if (late == null || !reported.add(key)) {
            return;
        }
        Object error = outcome(c.future());
        if (error instanceof Throwable t) {
            late.accept(new LateRejection(new Rejected(reason(t), c.modelId()), ""));
        }
    }

    private static String compileKey(String modelId, ObjectNode entry) {
        JsonNode field = entry.get("score_field");
        return modelId + "\0" + version(entry) + "\0" + entry.path("deploy_seq").asLong(-1) + "\0"
                + (field == null || field.isNull() ? "" : "=" + field.textValue()) + "\0" + engineOf(entry);
    }

    /**
     * The deploy's engine setting (a state written before there was one: auto). "pypmml" scores with PMML4S,
     * "compiled" refuses a document the compiled engine cannot score, "auto" takes the compiled engine when it can.
     */
    private static String engineOf(ObjectNode entry) {
        JsonNode engine = entry.get("engine");
        return engine != null && engine.isTextual() && ENGINES.contains(engine.textValue()) ? engine.textValue()
                : "auto";
    }

    /** The model, or null when the compilation failed; waits for it. */
    private static PmmlModel success(CompletableFuture<PmmlModel> future) {
        return outcome(future) instanceof PmmlModel model ? model : null;
    }

    /** The model or the Throwable, once done (waits). */
    private static Object outcome(CompletableFuture<PmmlModel> future) {
        try {
            return future.get();
        } catch (ExecutionException | CompletionException | CancellationException e) {
            return unwrap(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String reason(Throwable error) {
        Throwable t = unwrap(error);
        return t instanceof InvalidPmmlException || t instanceof ControlMessageException
                ? t.getMessage()
                : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private byte[] unpack(String modelId, String packed) throws ControlMessageException {
        ObjectNode payload = JSON.createObjectNode();
        payload.put("pmml", packed == null ? "" : packed);
        return decoder.pmml(new ControlMessage("model.deploy", 0, modelId, null, payload, 0));
    }

    // ---- feature sets

    private LiveFeatureSet featureSet(String text) {
        if (text == null) {
            return null;
        }
        LiveFeatureSet live = featureSets.get(text);
        if (live == null) {
            try {
                JsonNode stored = JSON.readTree(text);
                Map<String, Long> since = new HashMap<>();
                stored.get("since").fields().forEachRemaining(e -> since.put(e.getKey(), e.getValue().asLong()));
                live = new LiveFeatureSet(PlanReader.read(stored.get("plan").toString()), since,
                        stored.get("issued_at").asLong());
            } catch (JsonProcessingException | InvalidPlanException | RuntimeException e) {
                throw new IllegalStateException("the feature set in state cannot be read: " + e.getMessage(), e);
            }
            keep(text, live);
        }
        return live;
    }

    private void keep(String text, LiveFeatureSet live) {
        featureSets.put(text, live);
        while (featureSets.size() > KEPT_FEATURE_SETS) { // two are in use around a swap; older ones are garbage
            Iterator<String> oldest = featureSets.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    // ---- the messages

    private ControlOutcome dispatch(ControlMessage message, ControlState state, String raw)
            throws ControlMessageException, InvalidPmmlException, InvalidPlanException {
        String type = message.type();
        boolean aboutModels = type.startsWith("model.") || type.startsWith("alias.");
        if (aboutModels && !keepsModels) {
            return new Applied(type + " " + message.modelId() + ": not kept here");
        }
        if (aboutModels) {
            settle(message.modelId(), state);
        }
        return switch (type) {
            case "model.deploy" -> deploy(message, state, raw);
            case "model.update" -> update(message, state);
            case "model.retire" -> retire(message, state);
            case "alias.set" -> setAlias(message, state);
            case "features.deploy" -> deployFeatures(message, state);
            default -> throw new ControlMessageException("'" + type + "' is not handled by this scoring job");
        };
    }

    /**
     * Before a model's message: wait for its versions' compilations, put back the version a failed one replaced
     * (or take the alias away when it replaced none), and drop what was kept to fall back on: the state is then
     * the one Python's, which never deployed the failed version, would hold.
     */
    private void settle(String modelId, ControlState state) {
        ObjectNode aliases = aliasesOf(state, modelId);
        ObjectNode fallbacks = fallbacks(state, modelId);
        if (aliases.isEmpty() && fallbacks == null) {
            return;
        }
        ObjectNode settled = aliases.deepCopy();
        boolean changed = false;
        for (String alias : names(aliases)) {
            ObjectNode entry = (ObjectNode) aliases.get(alias);
            String spec = specKey(modelId, version(entry));
            if (success(compilation(modelId, entry, () -> unpack(modelId, state.get(spec)), null).future()) != null) {
                continue;
            }
            JsonNode fallback = fallbacks == null ? null : fallbacks.get(alias);
            if (fallback != null) {
                ObjectNode before = (ObjectNode) fallback.get("entry");
                settled.set(alias, before);
                state.put(specKey(modelId, version(before)), fallback.get("spec").textValue());
            } else {
                settled.remove(alias);
            }
            changed = true;
        }
        if (changed) {
            putAliases(state, modelId, settled, aliases);
        }
        if (fallbacks != null) {
            state.remove(FALLBACK + modelId);
        }
    }

    private ControlOutcome deployFeatures(ControlMessage message, ControlState state)
            throws ControlMessageException, InvalidPlanException {
        JsonNode dsl = message.payload().get("dsl");
        if (dsl == null || !dsl.isTextual()) {
            throw new ControlMessageException("payload needs 'dsl'");
        }
        JsonNode sourceNode = message.payload().get("source");
        String source = truthy(sourceNode) ? PyText.str(sourceNode) : message.modelId() + ".fdsl";
        if (dsl.textValue().getBytes(StandardCharsets.UTF_8).length > MAX_DSL_BYTES) {
            throw new ControlMessageException(source + ": feature file larger than " + MAX_DSL_BYTES + " bytes");
        }
        Optional<ObjectNode> plan = decoder.plan(message);
        if (plan.isEmpty()) {
            // Python checks the DSL here and says each error; the JVM reads only the plan, which a publisher
            // leaves out of a file that does not check.
            throw new ControlMessageException(source + ": the feature file does not check (the message carries no"
                    + " feature plan): `fraudscore dsl check` says why");
        }
        FeaturePlan compiledPlan = PlanReader.read(plan.get().toString());
        LiveFeatureSet current = features(state);
        LiveFeatureSet live = new LiveFeatureSet(compiledPlan, current == null ? Map.of() : current.since(),
                message.issuedAt());
        ObjectNode stored = JSON.createObjectNode();
        stored.set("dsl", dsl);
        stored.put("issued_at", message.issuedAt());
        stored.set("plan", plan.get());
        ObjectNode since = stored.putObject("since");
        live.since().forEach(since::put);
        stored.put("source", source);
        String text = sorted(stored);
        String previous = state.get(FEATURES);
        if (previous != null) {
            state.put(PREVIOUS_FEATURES, previous);
        }
        state.put(FEATURES, text);
        keep(text, live);
        long kept = live.since().values().stream().filter(at -> at < message.issuedAt()).count();
        return new Applied("feature set " + live.label() + " live: " + live.since().size() + " blocks, " + kept
                + " kept from before");
    }

    /** Check, then put the version under its alias (champion unless the payload names another), replacing the
     * version the alias had, which is kept to fall back on until the new one compiles. A version live under
     * another alias moves (that alias loses it); the same PMML, score field and engine are not compiled again. */
    private ControlOutcome deploy(ControlMessage message, ControlState state, String raw)
            throws ControlMessageException, InvalidPmmlException {
        long version = requiredVersion(message);
        String modelId = message.modelId();
        JsonNode aliasNode = message.payload().has("alias") ? message.payload().get("alias") : TextNode.valueOf(CHAMPION);
        String alias = aliasName(aliasNode);
        ObjectNode defaults = JSON.createObjectNode();
        defaults.put("mode", alias.equals(CHAMPION) ? "active" : "shadow");
        defaults.put("threshold", 0.5);
        ObjectNode entry = settings(message.payload(), defaults);
        checkMode(alias, entry.get("mode").textValue());
        ObjectNode aliases = aliasesOf(state, modelId);
        String elsewhere = aliasWith(aliases, version);
        boolean moves = elsewhere != null && !elsewhere.equals(alias);
        byte[] pmml = decoder.pmml(message);
        PmmlSchema schema = SafePmmlReader.read(pmml); // the cheap check; PMML4S loads it on the compiler's thread
        JsonNode preferred = entry.get("score_field");
        String wanted = preferred.isNull() ? null : preferred.textValue();
        String scoreField = schema.outputs().isEmpty() ? wanted : scoreField(schema.outputs(), wanted);
        String packed = message.payload().get("pmml").textValue();

        ObjectNode previous = (ObjectNode) aliases.get(alias);
        String previousSpec = previous == null ? null : state.get(specKey(modelId, version(previous)));
        if (scoreField == null) {
            entry.putNull("score_field");
        } else {
            entry.put("score_field", scoreField);
        }
        entry.put("version", version);
        entry.put("deploy_seq", message.seq());
        if (elsewhere != null && packed.equals(state.get(specKey(modelId, version)))) {
            ObjectNode held = (ObjectNode) aliases.get(elsewhere);
            ObjectNode same = entry.deepCopy();
            same.put("deploy_seq", held.path("deploy_seq").asLong(-1));
            if (compileKey(modelId, same).equals(compileKey(modelId, held))) {
                entry = same; // its compilation is the one the version has
            }
        }
        state.put(specKey(modelId, version), packed);
        ObjectNode next = aliases.deepCopy();
        if (moves) {
            next.remove(elsewhere);
        }
        next.set(alias, entry);
        putAliases(state, modelId, next, aliases);
        if (previous != null && previousSpec != null) {
            ObjectNode fallbacks = JSON.createObjectNode();
            ObjectNode kept = fallbacks.putObject(alias);
            kept.set("entry", previous);
            kept.put("spec", previousSpec);
            state.put(FALLBACK + modelId, sorted(fallbacks));
        }
        compilation(modelId, entry, () -> pmml, raw);
        return new Applied(modelId + " v" + version + (moves ? " moved from " + elsewhere + " to " : " live as ")
                + alias + " (" + entry.get("mode").textValue() + ", " + engineOf(entry) + " engine)");
    }

    /**
     * A live version's threshold, mode or event types, changed without compiling anything; a version not live:
     * nothing to do (a compacted topic's replay meets the settings of a version whose deploy was compacted away).
     */
    private ControlOutcome update(ControlMessage message, ControlState state) throws ControlMessageException {
        long version = requiredVersion(message);
        String modelId = message.modelId();
        ObjectNode aliases = aliasesOf(state, modelId);
        String alias = aliasWith(aliases, version);
        TreeSet<String> unknown = new TreeSet<>(names(message.payload()));
        unknown.removeAll(UPDATABLE);
        if (!unknown.isEmpty()) {
            throw new ControlMessageException("model.update changes " + String.join(", ", UPDATABLE) + " only, not "
                    + String.join(", ", unknown) + " (a new PMML, engine or score field is a model.deploy)");
        }
        if (alias == null) {
            return new Applied(modelId + " v" + version + " is not live: nothing to update");
        }
        ObjectNode entry = settings(message.payload(), (ObjectNode) aliases.get(alias));
        checkMode(alias, entry.get("mode").textValue());
        ObjectNode next = aliases.deepCopy();
        next.set(alias, entry);
        putAliases(state, modelId, next, aliases);
        List<String> changed = new ArrayList<>();
        for (String name : names(message.payload())) {
            changed.add(name + " " + PyText.str(entry.get(name)));
        }
        return new Applied(modelId + " v" + version + " (" + alias + "): "
                + (changed.isEmpty() ? "nothing changed" : String.join(", ", changed)));
    }

    /**
     * With no version, take the alias away (an alias not live: nothing to do, as a compacted topic's replay meets
     * it); with a version (publishers before compaction), point the alias at a version live under another alias.
     */
    private ControlOutcome setAlias(ControlMessage message, ControlState state) throws ControlMessageException {
        String modelId = message.modelId();
        String alias = aliasName(message.payload().get("alias"));
        ObjectNode aliases = aliasesOf(state, modelId);
        if (message.version() == null) {
            if (!aliases.has(alias)) {
                return new Applied(modelId + ": no " + alias + " to remove");
            }
            putAliases(state, modelId, without(aliases, alias), aliases);
            return new Applied(modelId + ": " + alias + " removed");
        }
        long version = message.version();
        String source = aliasWith(aliases, version);
        if (source == null) {
            throw new ControlMessageException(modelId + " v" + version
                    + " is not live: deploy it (as challenger, say) first");
        }
        if (source.equals(alias)) {
            return new Applied(modelId + " v" + version + " already " + alias);
        }
        ObjectNode entry = ((ObjectNode) aliases.get(source)).deepCopy();
        if (alias.equals(CHAMPION)) { // the new champion decides as the old one did (one kept in shadow stays so)
            JsonNode champion = aliases.get(CHAMPION);
            entry.put("mode", champion != null && champion.has("mode") ? champion.get("mode").textValue() : "active");
        } else {
            entry.put("mode", "shadow");
        }
        ObjectNode moved = without(aliases, source);
        moved.set(alias, entry);
        putAliases(state, modelId, moved, aliases);
        return new Applied(modelId + " v" + version + " now " + alias + " (" + entry.get("mode").textValue() + ")");
    }

    /** Every live version of the model, or only the one named. */
    private ControlOutcome retire(ControlMessage message, ControlState state) throws ControlMessageException {
        String modelId = message.modelId();
        ObjectNode aliases = aliasesOf(state, modelId);
        if (aliases.isEmpty()) {
            throw new ControlMessageException("model " + PyText.repr((Object) modelId) + " is not live");
        }
        if (message.version() == null) {
            putAliases(state, modelId, JSON.createObjectNode(), aliases);
            return new Applied(modelId + " retired");
        }
        String alias = aliasWith(aliases, message.version());
        if (alias == null) {
            throw new ControlMessageException(modelId + " v" + message.version() + " is not live");
        }
        putAliases(state, modelId, without(aliases, alias), aliases);
        return new Applied(modelId + " v" + message.version() + " (" + alias + ") retired");
    }

    // ---- state helpers (Python's module functions)

    private static ObjectNode table(ControlState state) {
        String text = state.get(LIVE);
        if (text == null) {
            return JSON.createObjectNode();
        }
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("the live table in state is not a JSON object", e);
        }
    }

    private static ObjectNode aliasesOf(ControlState state, String modelId) {
        JsonNode aliases = table(state).get(modelId);
        return aliases instanceof ObjectNode object ? object : JSON.createObjectNode();
    }

    private static ObjectNode fallbacks(ControlState state, String modelId) {
        String text = state.get(FALLBACK + modelId);
        if (text == null) {
            return null;
        }
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("the fallback of " + modelId + " in state is not a JSON object", e);
        }
    }

    /** The model's new alias table, and the PMML of every version no alias holds any more dropped. */
    private static void putAliases(ControlState state, String modelId, ObjectNode aliases, ObjectNode before) {
        ObjectNode table = table(state);
        if (aliases.isEmpty()) {
            table.remove(modelId);
        } else {
            table.set(modelId, aliases);
        }
        // Sorted keys: the same table is the same text.
        state.put(LIVE, sorted(table));
        Set<Long> kept = new HashSet<>();
        aliases.forEach(entry -> kept.add(version(entry)));
        before.forEach(entry -> {
            if (!kept.contains(version(entry))) {
                state.remove(specKey(modelId, version(entry)));
            }
        });
    }

    private static ObjectNode without(ObjectNode aliases, String alias) {
        ObjectNode copy = aliases.deepCopy();
        copy.remove(alias);
        return copy;
    }

    private static String aliasWith(ObjectNode aliases, long version) {
        for (String alias : names(aliases)) {
            if (version(aliases.get(alias)) == version) {
                return alias;
            }
        }
        return null;
    }

    private static String aliasName(JsonNode value) throws ControlMessageException {
        if (value == null || !value.isTextual() || !ALIAS.matcher(value.textValue()).matches()) {
            throw new ControlMessageException(
                    "alias must be a lowercase name like 'champion' or 'challenger', got " + PyText.repr(value));
        }
        return value.textValue();
    }

    private static void checkMode(String alias, String mode) throws ControlMessageException {
        if (!alias.equals(CHAMPION) && mode.equals("active")) {
            throw new ControlMessageException(
                    "only the champion decides: a " + alias + " is shadow (promote it with alias.set)");
        }
    }

    private static long requiredVersion(ControlMessage message) throws ControlMessageException {
        if (message.version() == null) {
            throw new ControlMessageException(message.type() + " needs a 'version'");
        }
        return message.version();
    }

    /** The current settings with those the payload gives, each checked (Python's {@code _settings}). */
    private static ObjectNode settings(ObjectNode payload, ObjectNode current) throws ControlMessageException {
        JsonNode mode = given(payload, current, "mode", null);
        if (mode == null || !mode.isTextual() || !MODES.contains(mode.textValue())) {
            throw new ControlMessageException("mode must be one of ('active', 'shadow'), got " + PyText.repr(mode));
        }
        JsonNode threshold = given(payload, current, "threshold", null);
        if (threshold == null || !threshold.isNumber() || !Double.isFinite(threshold.doubleValue())) {
            throw new ControlMessageException("threshold must be a number, got " + PyText.repr(threshold));
        }
        JsonNode eventTypes = given(payload, current, "event_types", JSON.createArrayNode());
        boolean names = eventTypes != null && eventTypes.isArray();
        if (names) {
            for (JsonNode type : eventTypes) {
                names &= type.isTextual();
            }
        }
        if (!names) {
            throw new ControlMessageException("event_types must be a list of event type names");
        }
        JsonNode scoreField = given(payload, current, "score_field", null);
        if (scoreField != null && !scoreField.isNull() && !scoreField.isTextual()) {
            throw new ControlMessageException("score_field must be a string");
        }
        JsonNode engine = given(payload, current, "engine", TextNode.valueOf("auto"));
        if (engine == null || !engine.isTextual() || !ENGINES.contains(engine.textValue())) {
            throw new ControlMessageException(
                    "engine must be one of ('auto', 'compiled', 'pypmml'), got " + PyText.repr(engine));
        }
        ObjectNode entry = current.deepCopy();
        entry.set("engine", engine);
        entry.set("mode", mode);
        entry.put("threshold", threshold.doubleValue());
        entry.set("event_types", eventTypes);
        if (scoreField == null || scoreField.isNull()) {
            entry.putNull("score_field");
        } else {
            entry.set("score_field", scoreField);
        }
        return entry;
    }

    /** {@code payload.get(name, current.get(name, otherwise))}: a JSON null given is None, not absent. */
    private static JsonNode given(ObjectNode payload, ObjectNode current, String name, JsonNode otherwise) {
        if (payload.has(name)) {
            return payload.get(name);
        }
        return current.has(name) ? current.get(name) : otherwise;
    }

    /** Python's choose_score_field, with its message. */
    private static String scoreField(List<String> outputs, String preferred) throws InvalidPmmlException {
        if (preferred != null && !preferred.isEmpty()) {
            if (!outputs.contains(preferred)) {
                throw new InvalidPmmlException("score field " + PyText.repr((Object) preferred)
                        + " is not an output of the model: " + PyText.repr(outputs));
            }
            return preferred;
        }
        for (String positive : POSITIVE) {
            if (outputs.contains(positive)) {
                return positive;
            }
        }
        return outputs.get(outputs.size() - 1);
    }

    private static boolean truthy(JsonNode node) {
        if (node == null || node.isNull()) {
            return false;
        }
        if (node.isTextual()) {
            return !node.textValue().isEmpty();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber()) {
            return node.doubleValue() != 0;
        }
        return !node.isEmpty();
    }

    static String specKey(String modelId, long version) {
        return "spec:" + modelId + ":" + version;
    }

    private static long version(JsonNode entry) {
        return entry.get("version").asLong();
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** JSON text with every object's keys sorted (orjson's OPT_SORT_KEYS), compact. */
    static String sorted(JsonNode node) {
        try {
            return JSON.writeValueAsString(sortedCopy(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree is JSON", e);
        }
    }

    private static JsonNode sortedCopy(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = JSON.createObjectNode();
            TreeMap<String, JsonNode> fields = new TreeMap<>();
            node.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue()));
            fields.forEach((name, value) -> copy.set(name, sortedCopy(value)));
            return copy;
        }
        if (node.isArray()) {
            var copy = JSON.createArrayNode();
            node.forEach(item -> copy.add(sortedCopy(item)));
            return copy;
        }
        return node;
    }
}
