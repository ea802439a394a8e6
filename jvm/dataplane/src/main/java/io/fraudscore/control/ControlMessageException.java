package io.fraudscore.control;

/**
 * A control message that must not be applied: unsigned, forged, stale or malformed. The message is the reason
 * reported on {@code dlq}, worded exactly as fraudscore/control.py words it.
 */
public final class ControlMessageException extends Exception {
    private static final long serialVersionUID = 1L;

    public ControlMessageException(String reason) {
        super(reason);
    }
}
