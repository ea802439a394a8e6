"""DSL errors: each carries where it happened and prints as `FILE:LINE:COL: error: MESSAGE`."""

from __future__ import annotations

from dsl.ast import Span
from fraudscore.errors import FraudError


class DslError(FraudError):
    """A problem in a feature file, at a position."""

    def __init__(self, message: str, span: Span, source_line: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.source_line = source_line

    def __str__(self) -> str:
        return f"{self.span}: error: {self.message}"

    def render(self) -> str:
        """The one-line error, then the offending line and a caret under the column.

        >>> print(DslError("unknown field 'stauts'", Span("r.fdsl", 3, 9), "  a = stauts").render())
        r.fdsl:3:9: error: unknown field 'stauts'
          a = stauts
                ^
        """
        if self.source_line is None:
            return str(self)
        return f"{self}\n{self.source_line}\n{' ' * (self.span.column - 1)}^"


class DslSyntaxError(DslError):
    """The text does not follow the grammar."""


class DslSemanticError(DslError):
    """The text parses but does not mean anything valid (unknown name, wrong type, cycle...)."""
