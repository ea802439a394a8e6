package io.fraudscore.flink;

import com.fasterxml.jackson.databind.JsonNode;
import io.fraudscore.features.engine.EventReader;
import io.fraudscore.live.LiveFeatureSet;
import io.fraudscore.live.OperatorControl;
import io.fraudscore.live.RemotePart;
import io.fraudscore.live.Routing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Sends each event to the state of every part of the live feature set that has a key on it, each copy saying
 * where the event is assembled: its customer (its event id when it has none). A value that is not a canonical
 * event goes on to the assembly too, which writes it to {@code dlq}.
 */
public final class RouteEvents extends BroadcastProcessFunction<byte[], String, Routed> {
    private static final long serialVersionUID = 1L;
    /** The key of values that are not canonical events, on their way to {@code dlq}: the topic they came from. */
    static final String NOT_CANONICAL_KEY = "events";
    private static final byte[] NO_PARTS = "{}".getBytes(StandardCharsets.UTF_8);
    private static final int RAW_SHOWN = 4096;

    private final String signingKey;
    private final ArrayList<String> history;
    private transient OperatorControl control;
    private transient LiveFeatureSet readerFor;
    private transient EventReader reader;

    RouteEvents(String signingKey, List<String> history) {
        this.signingKey = signingKey;
        this.history = new ArrayList<>(history);
    }

    @Override
    public void open(OpenContext context) {
        control = new OperatorControl(signingKey, history, false);
    }

    @Override
    public void close() {
        if (control != null) {
            control.close();
        }
    }

    @Override
    public void processElement(byte[] value, ReadOnlyContext ctx, Collector<Routed> out) throws Exception {
        long entered = ctx.currentProcessingTime();
        Routed routed = identify(value);
        if (routed == null) {
            out.collect(notCanonical(value));
            return;
        }
        routed.enteredMs = entered;
        LiveFeatureSet features = control.view(BroadcastControlState.readOnly(ctx.getBroadcastState(
                ScoringOperators.CONTROL_STATE))).features();
        if (features == null) {
            routed.parts = new String[0];
            routed.local = NO_PARTS;
            out.collect(routed);
            return;
        }
        Routing routing = features.route(readerOf(features).read(value));
        routed.featureSet = features.label();
        routed.parts = routing.remote().stream().map(remote -> remote.part().name()).toArray(String[]::new);
        routed.local = Json.bytes(routing.local());
        if (routing.remote().isEmpty()) {
            out.collect(routed);
            return;
        }
        boolean first = true;
        for (RemotePart remote : routing.remote()) {
            Routed copy = routed.copy();
            copy.key = remote.routeKey();
            copy.part = remote.part().stateId();
            copy.toPart = true;
            copy.carriesEvent = first;
            copy.local = first ? routed.local : null;
            first = false;
            out.collect(copy);
        }
    }

    /** The event headed for its assembly, or null when it is not a canonical event (a JSON object with an event id). */
    private static Routed identify(byte[] value) {
        JsonNode event;
        try {
            event = Json.MAPPER.readTree(value);
        } catch (IOException e) {
            return null;
        }
        if (event == null || !event.isObject()) {
            return null;
        }
        String eventId = idText(event.get("event_id"));
        if (eventId == null) { // its parts could not find each other, nor a consumer its score
            return null;
        }
        String customer = idText(event.get("customer_id"));
        String assembledAt = customer != null ? customer : eventId;
        Routed routed = new Routed();
        routed.event = value;
        routed.eventId = eventId;
        routed.assembledAt = assembledAt;
        routed.key = assembledAt;
        return routed;
    }

    /** An id's text, or null when absent or falsy as Python sees it (null, "", 0, false): passed over. */
    private static String idText(JsonNode node) {
        if (node == null || node.isNull() || node.isContainerNode()) {
            return null;
        }
        boolean falsy = node.isTextual() ? node.textValue().isEmpty()
                : node.isNumber() ? node.doubleValue() == 0 : !node.asBoolean();
        return falsy ? null : node.isTextual() ? node.textValue() : node.toString();
    }

    private EventReader readerOf(LiveFeatureSet features) {
        if (features != readerFor) {
            reader = new EventReader(features.fields());
            readerFor = features;
        }
        return reader;
    }

    /** A value that is not a canonical event, on its way to {@code dlq} through the assembly. */
    private static Routed notCanonical(byte[] bytes) {
        String value = new String(bytes, StandardCharsets.UTF_8);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("source", "scoring");
        record.put("reason", "not a canonical event");
        record.put("raw", value.length() > RAW_SHOWN ? value.substring(0, RAW_SHOWN) : value);
        Routed routed = new Routed();
        routed.key = NOT_CANONICAL_KEY;
        routed.notCanonical = Json.write(record);
        routed.parts = new String[0];
        return routed;
    }

    @Override
    public void processBroadcastElement(String value, Context ctx, Collector<Routed> out) {
        control.apply(value, BroadcastControlState.writable(ctx.getBroadcastState(ScoringOperators.CONTROL_STATE)));
    }
}
