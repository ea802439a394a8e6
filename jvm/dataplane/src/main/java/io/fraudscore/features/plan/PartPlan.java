package io.fraudscore.features.plan;

import java.util.List;

/**
 * A block computed for one key: its state id (block name, fingerprint and fan-out key: a changed block's
 * state starts afresh), the event fields that make the key, and the suffix its features are named with
 * ({@code @card_id} in a fan-out, else null).
 */
public record PartPlan(String name, String stateId, List<String> fields, String suffix) {}
