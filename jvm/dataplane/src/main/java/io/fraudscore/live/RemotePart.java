package io.fraudscore.live;

/** A part computed for the event's key: {@code routeKey} is the part's state id, "|" and the key as a JSON array. */
public record RemotePart(LivePart part, String routeKey) {}
