package io.fraudscore.live;

import java.util.List;
import java.util.Map;

/**
 * How one event's features are found: the parts computed where their key lives, each with its route key, and
 * the defaults of the parts whose key the event lacks (a key field null, a list or an object), by feature name.
 */
public record Routing(List<RemotePart> remote, Map<String, Object> local) {}
