"""`distinct(x) over 7d approx`: a HyperLogLog sketch per tile, so a key's distinct count costs a fixed
few KB however many values it sees (a merchant's cards).

With 2**9 registers the standard error is 1.04 / sqrt(512), about 4.6%; under about 100 values
(linear counting) the estimate is within a few values of the truth. The hash is BLAKE2b of the value,
so a sketch means the same after a restart (Python's `hash` of a string changes between processes).
"""

from __future__ import annotations

import math
from hashlib import blake2b
from typing import Any

PRECISION = 9
REGISTERS = 1 << PRECISION
STANDARD_ERROR = 1.04 / math.sqrt(REGISTERS)
_ALPHA = 0.7213 / (1 + 1.079 / REGISTERS)


def register_and_rank(x: Any) -> tuple[int, int]:
    """Which register a value goes to, and the rank it brings there (1 + leading zeros of the rest).

    >>> register_and_rank("card-1") == register_and_rank("card-1")
    True
    """
    digest = blake2b(f"{type(x).__name__}:{x!r}".encode(), digest_size=8).digest()
    h = int.from_bytes(digest, "big")
    rest = h >> PRECISION
    return h & (REGISTERS - 1), (64 - PRECISION) - rest.bit_length() + 1


class Sketch:
    """HyperLogLog registers; a window's sketch also keeps sum(2**-register), exactly, in units of 2**-64,
    and its zero registers, so an estimate needs no pass over the registers.

    >>> s = Sketch()
    >>> for n in range(1000):
    ...     s.add(None, f"card{n}")
    >>> abs(s.result("distinct", None, False) - 1000) < 50
    True
    """

    __slots__ = ("registers", "z", "zeros")

    def __init__(self) -> None:
        self.registers = bytearray(REGISTERS)
        self.z: int | None = REGISTERS << 64  # every register 0: 2**-0 each
        self.zeros = REGISTERS

    def add(self, key: Any, x: Any) -> None:
        self.raise_register(*register_and_rank(x))

    def raise_register(self, j: int, rank: int) -> None:
        old = self.registers[j]
        if rank > old:
            self.registers[j] = rank
            if self.z is not None:
                self.z += (1 << (64 - rank)) - (1 << (64 - old))
                self.zeros -= old == 0

    def merge(self, other: Sketch) -> None:
        """Register by register, the larger: the sketch of both sets of values."""
        if any(other.registers):
            self.registers = bytearray(map(max, self.registers, other.registers))
            self.z = None  # recounted when next asked, once for a whole run of merges

    def result(self, function: str, current: Any, include: bool) -> int:
        if self.z is None:
            self.z = sum(1 << (64 - r) for r in self.registers)
            self.zeros = self.registers.count(0)
        z, zeros = self.z, self.zeros
        if include and current is not None:
            j, rank = register_and_rank(current)
            old = self.registers[j]
            if rank > old:
                z += (1 << (64 - rank)) - (1 << (64 - old))
                zeros -= old == 0
        return estimate(z / 2.0**64, zeros)


def estimate(z: float, zeros: int) -> int:
    """HyperLogLog's estimate, with linear counting for small counts."""
    raw = _ALPHA * REGISTERS * REGISTERS / z
    if raw <= 2.5 * REGISTERS and zeros:
        return round(REGISTERS * math.log(REGISTERS / zeros))
    return round(raw)
