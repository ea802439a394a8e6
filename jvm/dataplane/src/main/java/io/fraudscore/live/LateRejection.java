package io.fraudscore.live;

/**
 * A deployed version that did not compile, found after {@link OperatorControl#apply} returned: the rejection
 * and the start of the message that deployed it (its first 4096 characters; empty for a version named by a
 * restored state), so that the operator can put it on {@code dlq} as any other rejection.
 */
public record LateRejection(Rejected rejected, String raw) {
    public String dlqRecord() {
        return rejected.dlqRecord(raw);
    }
}
