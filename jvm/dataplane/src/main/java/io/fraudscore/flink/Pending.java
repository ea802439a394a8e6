package io.fraudscore.flink;

/**
 * An event waiting in its customer's assembly for its parts (a Flink POJO), or, once scored without some of
 * them, the mark that drops a part still on its way instead of scoring the event twice.
 */
public class Pending {
    /** The customer key and the event's id: set while it waits in {@link WaitingEvents}, which a checkpoint
     * stores as one list, not by key. */
    public String key;
    public String eventId;
    /** The event (UTF-8 JSON), once the part's reply that carries it has come; null until then. */
    public byte[] eventUtf8;
    /** The local defaults (a UTF-8 JSON object), with the event. */
    public byte[] localUtf8;
    public long enteredMs;
    public String featureSet;
    /** Every part the event waits for, by name. */
    public String[] parts;
    /** The parts that came with values, by name. */
    public String[] got;
    /** How many parts came, with values or without. */
    public int arrived;
    /** Each part's features, as a JSON object each, in the order they came: merged once, when scored. */
    public String[] partFeatures;
    public long deadline;
    /** The wait ended before the event came: it is scored as soon as it does, with the parts in by then. */
    public boolean overdue;
    public boolean scored;

    public Pending() {}
}
