"""Kafka-only behaviour: members of one group share partitions; argument checks."""

from __future__ import annotations

import threading
import time

import pytest

from core.bus import open_bus
from core.bus.kafka import KafkaBus


class Member(threading.Thread):
    """A group member polling in its own thread, as every deployed consumer does."""

    def __init__(self, bus, topic, group):
        super().__init__(daemon=True)
        self.consumer = bus.consumer(topic, group)
        self.got, self.stop = [], threading.Event()

    def run(self):
        while not self.stop.is_set():
            messages = self.consumer.poll(timeout=0.2)
            if messages:
                self.got += messages
                self.consumer.commit()
        self.consumer.close()


def test_group_members_split_partitions_and_each_message_is_processed_once(kafka_bus, topic):
    members = [Member(kafka_bus, topic, f"workers-{topic}") for _ in range(2)]
    for m in members:
        m.start()
    deadline, settled = time.monotonic() + 30, 0
    while time.monotonic() < deadline and settled < 5:  # the split held still for 0.5 s
        held = [m.consumer.assignment() for m in members]
        split = all(held) and not held[0] & held[1] and held[0] | held[1] == {0, 1, 2}
        settled = settled + 1 if split else 0
        time.sleep(0.1)
    assert settled == 5, f"no stable split of the partitions: {held}"
    values = [f"user{i % 10}:{i}".encode() for i in range(60)]
    kafka_bus.producer().publish(topic, values, [v.split(b":")[0] for v in values])
    while sum(len(m.got) for m in members) < 60 and time.monotonic() < deadline + 30:
        time.sleep(0.1)
    for m in members:
        m.stop.set()
        m.join(10)
    one, two = members[0].got, members[1].got
    assert sorted(m.value for m in one + two) == sorted(values)
    assert one and two
    # an entity's messages all went to one member (stateful windows stay correct)
    assert not {m.key for m in one} & {m.key for m in two}
    assert kafka_bus.lag(topic, f"workers-{topic}") == 0


def test_open_bus_and_argument_checks(noida, topic):
    bus = open_bus(f"kafka://{noida.kafka_bootstrap}")
    assert isinstance(bus, KafkaBus)
    with pytest.raises(ValueError):
        bus.producer().publish(topic, [b"a", b"b"], [b"k"])
    with pytest.raises(ValueError):
        KafkaBus(" , ")


def test_bus_url_carries_client_security_options_and_refuses_others():
    bus = open_bus("kafka://k1:9092,k2:9092?security_protocol=SASL_SSL&sasl_mechanism=SCRAM-SHA-512"
                   "&sasl_plain_username=siem&sasl_plain_password=s3cret&partitions=12")
    assert bus.bootstrap == ["k1:9092", "k2:9092"] and bus.partitions == 12
    assert bus.client_options == {"security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512",
                                  "sasl_plain_username": "siem", "sasl_plain_password": "s3cret"}
    with pytest.raises(ValueError, match="unknown Kafka bus option"):
        open_bus("kafka://k1:9092?bootstrap_servers=evil:9092")
    with pytest.raises(ValueError):
        open_bus("amqp://x")
