package io.fraudscore.flink;

/**
 * One event on its way through the scoring operators (a Flink POJO: public fields, no-argument constructor):
 * from {@link RouteEvents} to a part's state, keyed by the part's route key, then on to the event's
 * assembly, keyed by its customer. An event with no part to compute goes straight to its assembly, through
 * {@link ComputeFeatures} unchanged, so that every record reaches the assembly by one keyed path.
 */
public class Routed {
    /** The key of the next keyed exchange: a part's route key, then where the event is assembled. */
    public String key;
    /**
     * The canonical event, as read from {@code events} (UTF-8 JSON); null in a part's reply that does not carry
     * it. Bytes, not a String, here and below: Flink copies an array between tasks, and writes a String a
     * character at a time (most of RouteEvents' time when these were Strings).
     */
    public byte[] event;
    public String eventId;
    /** When {@link RouteEvents} first saw the event (epoch ms): a score record's {@code job_ms} counts from here. */
    public long enteredMs;
    /** The feature set's {@code name:version} the event was routed by; null before any. */
    public String featureSet;
    /** The names of the parts computed elsewhere for the event: what its assembly waits for. */
    public String[] parts;
    /** The defaults of the parts whose key the event lacks, as a JSON object; null where {@code event} is. */
    public byte[] local;
    /** Whether this part's reply carries the event and the local defaults to the assembly (the first part's). */
    public boolean carriesEvent;
    /** The {@code dlq} record of a value that is not a canonical event; null for an event. */
    public String notCanonical;
    /** On the way to a part: its state id; on the way back: its name, or null when its block was unknown. */
    public String part;
    /** Where the event is assembled: its customer, or its event id when it has none. */
    public String assembledAt;
    /** On the way back from a part: its features as a JSON object, or null when they could not be computed. */
    public byte[] features;
    /** True on the way to a part's state, false on the way to the assembly. */
    public boolean toPart;

    public Routed() {}

    /** The same event, heading elsewhere. */
    Routed copy() {
        Routed copy = new Routed();
        copy.key = key;
        copy.event = event;
        copy.eventId = eventId;
        copy.enteredMs = enteredMs;
        copy.featureSet = featureSet;
        copy.parts = parts;
        copy.local = local;
        copy.carriesEvent = carriesEvent;
        copy.notCanonical = notCanonical;
        copy.part = part;
        copy.assembledAt = assembledAt;
        copy.features = features;
        copy.toPart = toPart;
        return copy;
    }
}
