package io.fraudscore.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The seq rule as scoring_job/live_models.py applies it (tests/scoring_job/test_live_models.py, "stale seq"). */
class ControlSequenceTest {
    private static ControlMessage message(String modelId, long seq) {
        return new ControlMessage("model.retire", seq, modelId, null, JsonNodeFactory.instance.objectNode(), 0);
    }

    @Test
    void anyFirstMessageIsFresh() {
        assertEquals(Optional.empty(), ControlSequence.NONE.stale(message("lr", 0)));
    }

    @Test
    void aMessageNotAboveTheLastAppliedIsStaleWhateverItsKey() {
        ControlSequence applied = ControlSequence.NONE.after(message("lr", 1));
        assertEquals(Optional.of("stale seq 1: 1 already applied"), applied.stale(message("lr", 1)));
        assertEquals(Optional.of("stale seq 0: 1 already applied"), applied.stale(message("other", 0)));
        assertEquals(Optional.empty(), applied.stale(message("other", 5)));
        assertEquals(new ControlSequence(5), applied.after(message("other", 5)));
    }

    @Test
    void aStaleMessageCannotMoveTheSequence() {
        ControlSequence applied = new ControlSequence(3);
        assertThrows(IllegalArgumentException.class, () -> applied.after(message("lr", 2)));
    }
}
