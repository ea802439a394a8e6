"""kafka-python's CRC-32C in C: every record batch it sends or reads carries one, and without the (LGPL)
`crc32c` package it computes them in pure Python, about 1 s per 6,000 events on this machine: the largest
cost of sending and reading in our tests, the bench and the API's activity reader. google-crc32c (Apache-2.0)
computes the same checksum; kafka-python's record module is pointed at it once, when this module is first
imported: by `kafka_io` and the API's activity reader, the modules that make clients which send or read
records (not by the package: the DSL and the PMML engine need no Kafka client, nor 0.2 s to import one).
"""

from __future__ import annotations

import google_crc32c
from kafka.record import default_records, util


def _crc32c(data: memoryview) -> int:
    return google_crc32c.value(bytes(data))


def install() -> None:
    """kafka-python's own C `crc32c` when present, else google-crc32c's; its pure Python one never."""
    if util.crc32c_c is None and google_crc32c.implementation == "c":
        default_records.calc_crc32c = _crc32c


install()
