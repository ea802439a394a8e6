package io.fraudscore.live;

import io.fraudscore.scoring.PmmlModel;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One live version of a model under one alias, compiled. {@code engine} is the engine that scores it, the
 * model's {@link PmmlModel#engine()}: "compiled", or "pmml4s" where the deploy's engine setting is "pypmml" or
 * the document does not compile (the setting is checked as Python checks it and kept in state).
 */
public record LiveModel(String modelId, long version, String alias, String mode, double threshold,
        Set<String> eventTypes, String scoreField, String engine, PmmlModel model) {
    public LiveModel {
        eventTypes = Collections.unmodifiableSet(new LinkedHashSet<>(eventTypes)); // contains(null) is false
    }

    /** Whether it scores events of this type: every type when its event types are empty. */
    public boolean scores(String eventType) {
        return eventTypes.isEmpty() || eventType != null && eventTypes.contains(eventType);
    }
}
