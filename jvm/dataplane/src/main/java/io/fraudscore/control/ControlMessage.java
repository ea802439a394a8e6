package io.fraudscore.control;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A verified control message: its envelope's fields, checked as fraudscore/control.py checks them.
 *
 * @param type one of {@link ControlDecoder#MESSAGE_TYPES}
 * @param seq the message's place in the topic's one sequence, at least 0
 * @param modelId the model id, or a feature set's name for {@code features.deploy}
 * @param version the model version, null when the message names none
 * @param payload the type's payload, an empty object when the envelope had none (do not change it)
 * @param issuedAt epoch milliseconds, 0 when the envelope had none
 */
public record ControlMessage(String type, long seq, String modelId, Long version, ObjectNode payload, long issuedAt) {}
