"""Model store: every model version, aliases, modes, thresholds, feature sets and the audit log; each change
published as a signed control message."""

from model_store.errors import ConflictError, NotFoundError, PublishError, RejectedError, StoreError
from model_store.publisher import KafkaControlPublisher
from model_store.store import CHALLENGER, CHAMPION, ControlPublisher, FeatureFileError, ModelStore, Outcome

__all__ = [
    "CHALLENGER",
    "CHAMPION",
    "ConflictError",
    "ControlPublisher",
    "FeatureFileError",
    "KafkaControlPublisher",
    "ModelStore",
    "NotFoundError",
    "Outcome",
    "PublishError",
    "RejectedError",
    "StoreError",
]
