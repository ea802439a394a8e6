"""The feature DSL's syntax tree: plain frozen dataclasses, each node with the span it came from."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Span:
    """Where a node starts: file name, 1-based line and column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Literal:
    value: float | int | str | bool | None
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Name:
    """A canonical event field, or an earlier feature of the same block."""

    name: str
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "not"
    operand: Expr
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Binary:
    op: str  # + - * / % == != < <= > >= and or
    left: Expr
    right: Expr
    span: Span = field(compare=False)


@dataclass(frozen=True)
class In:
    operand: Expr
    options: tuple[Literal, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Call:
    """A function call: scalar (`abs(x)`), stateful (`ema(x, 20)`) or, under `over`, an aggregate."""

    function: str
    args: tuple[Expr, ...]
    keywords: tuple[tuple[str, Expr | Duration], ...]
    where: Expr | None
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Duration:
    """A length of time as written (`45d`), in milliseconds."""

    text: str
    millis: int
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Window:
    kind: str  # "time", "last" or "lifetime"
    duration: Duration | None = None
    count: int | None = None
    exclude_current: bool = False
    every: Duration | None = None
    approx: bool = False


@dataclass(frozen=True)
class Windowed:
    """`aggregate(...) over window`."""

    call: Call
    window: Window
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Member:
    """`macd(price, 12, 26, 9).hist`."""

    target: Expr
    member: str
    span: Span = field(compare=False)


Expr = Union[Literal, Name, Unary, Binary, In, Call, Windowed, Member]  # noqa: UP007 - a runtime alias


@dataclass(frozen=True)
class Feature:
    name: str
    expr: Expr
    default: Literal | None
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Block:
    name: str
    keys: tuple[str, ...]
    composite: bool  # `per (a, b)`: one key; else `per a, b` fans out, one computation per key
    ttl: Duration | None
    features: tuple[Feature, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True)
class FeatureSet:
    name: str
    version: int
    blocks: tuple[Block, ...]
    span: Span = field(compare=False)


def walk(node: Expr) -> Iterator[Expr]:
    """The node and every expression below it, depth first."""
    yield node
    children: list = []
    if isinstance(node, Unary):
        children = [node.operand]
    elif isinstance(node, Binary):
        children = [node.left, node.right]
    elif isinstance(node, In):
        children = [node.operand]
    elif isinstance(node, Member):
        children = [node.target]
    elif isinstance(node, Windowed):
        children = [node.call]
    elif isinstance(node, Call):
        children = [*node.args, *(v for _, v in node.keywords if not isinstance(v, Duration))]
        children += [node.where] if node.where is not None else []
    for child in children:
        yield from walk(child)
