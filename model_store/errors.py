"""What the model store refuses, and why, in words a user can act on. The API maps each to a status code."""

from __future__ import annotations

from fraudscore.errors import FraudError


class StoreError(FraudError):
    """Root of the store's refusals."""


class NotFoundError(StoreError, LookupError):
    """A model, version or feature set the store does not have."""


class ConflictError(StoreError):
    """A change that does not fit the store's current state: a stale version, nothing to roll back to."""


class RejectedError(StoreError):
    """A model or feature file that cannot go live, with every problem found."""

    def __init__(self, summary: str, problems: list[str]) -> None:
        super().__init__(f"{summary}: " + "; ".join(problems) if problems else summary)
        self.summary = summary
        self.problems = problems


class PublishError(StoreError):
    """The control topic did not take the change; the store was left as it was."""
