"""The Kafka topics of DESIGN.md, their names under a tenant prefix, and their settings."""

from __future__ import annotations

from dataclasses import dataclass, field

CHANNELS = ("web", "mobile", "atm", "card", "ticks")
CONTROL_MAX_MESSAGE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class TopicSpec:
    """One topic: its name without prefix, how it is partitioned and its broker-side settings."""

    name: str
    partitions: int | None = None  # None: the cluster setting
    configs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Topics:
    """Topic names for one tenant: every name carries the same prefix.

    >>> Topics("eu.").events
    'eu.events'
    >>> Topics().raw("web")
    'raw.web'
    """

    prefix: str = ""

    def raw(self, channel: str) -> str:
        return f"{self.prefix}raw.{channel}"

    @property
    def events(self) -> str:
        return f"{self.prefix}events"

    @property
    def control(self) -> str:
        return f"{self.prefix}control"

    @property
    def scores(self) -> str:
        return f"{self.prefix}scores"

    @property
    def alerts(self) -> str:
        return f"{self.prefix}alerts"

    @property
    def dlq(self) -> str:
        return f"{self.prefix}dlq"

    def specs(self) -> list[TopicSpec]:
        """Every topic the pipeline uses, with the settings it needs."""
        control = TopicSpec(
            self.control,
            # One partition keeps the control sequence in one order for every scoring subtask.
            partitions=1,
            # Compacted, never expired: each key's newest record states that key's whole state (a model's
            # alias: its deploy or its removal; the settings of the version under it; a feature set) or is a
            # tombstone (fraudscore.control), so a job replaying what compaction left rebuilds exactly what
            # is live. The model store rebuilds the topic from what is live when asked (`POST /control/republish`).
            configs={
                "cleanup.policy": "compact",
                "retention.ms": "-1",
                "retention.bytes": "-1",
                "max.message.bytes": str(CONTROL_MAX_MESSAGE_BYTES),
            },
        )
        plain = [self.raw(c) for c in CHANNELS] + [self.events, self.scores, self.alerts, self.dlq]
        return [control, *(TopicSpec(name) for name in plain)]
