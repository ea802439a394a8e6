"""kafka-python checksums every record batch with CRC-32C; ours does it in C (fraudscore/kafka_crc.py)."""

from kafka.record import default_records, util

from fraudscore import kafka_crc


def test_record_batches_are_checksummed_in_c():
    # kafka-python's own C package, when installed, is left to do it
    in_c = kafka_crc._crc32c if util.crc32c_c is None else util.calc_crc32c
    assert default_records.calc_crc32c is in_c


def test_the_checksum_is_kafka_pythons_own():
    data = memoryview(bytearray(range(256)) * 40)[7:]  # a slice, as kafka-python hands it over
    assert default_records.calc_crc32c(data) == util.crc32c_py(data)
    assert default_records.calc_crc32c(memoryview(b"")) == util.crc32c_py(memoryview(b""))
