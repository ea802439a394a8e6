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
            configs={
                "cleanup.policy": "compact",
                "max.message.bytes": str(CONTROL_MAX_MESSAGE_BYTES),
                "min.compaction.lag.ms": "60000",
            },
        )
        plain = [self.raw(c) for c in CHANNELS] + [self.events, self.scores, self.alerts, self.dlq]
        return [control, *(TopicSpec(name) for name in plain)]
