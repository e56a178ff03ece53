"""The same behaviour from every bus backend: groups, commits, redelivery, keyed order."""

from __future__ import annotations

import threading
import time

from services import drain


def _values(messages):
    return [m.value for m in messages]


def test_uncommitted_messages_are_delivered_again_committed_ones_are_not(bus, topic):
    first = bus.consumer(topic, f"g-{topic}")
    bus.producer().publish(topic, [b"a", b"b"], [b"k", b"k"])
    assert _values(drain(first, 2)) == [b"a", b"b"]
    first.close()  # crashed before committing
    second = bus.consumer(topic, f"g-{topic}")
    assert _values(drain(second, 2)) == [b"a", b"b"]
    second.commit()
    second.close()
    bus.producer().publish(topic, [b"c"], [b"k"])
    third = bus.consumer(topic, f"g-{topic}")
    assert _values(drain(third, 1)) == [b"c"]
    assert third.poll(timeout=0.5) == []
    third.close()


def test_groups_are_independent_and_each_sees_everything(bus, topic):
    one, two = bus.consumer(topic, f"one-{topic}"), bus.consumer(topic, f"two-{topic}")
    bus.producer().publish(topic, [b"x", b"y", b"z"], [b"a", b"a", b"a"])
    assert _values(drain(one, 3)) == _values(drain(two, 3)) == [b"x", b"y", b"z"]
    one.close()
    two.close()


def test_messages_of_one_key_keep_their_order(bus, topic):
    consumer = bus.consumer(topic, f"g-{topic}")
    values = [f"{key}:{i}".encode() for i in range(20) for key in ("amy", "bob", "cara")]
    bus.producer().publish(topic, values, [v.split(b":")[0] for v in values])
    got = drain(consumer, len(values))
    for key in (b"amy", b"bob", b"cara"):
        assert [m.value for m in got if m.key == key] == [v for v in values if v.startswith(key + b":")]
    # every key lives on one partition
    assert all(len({m.partition for m in got if m.key == k}) == 1 for k in (b"amy", b"bob", b"cara"))
    consumer.close()


def test_poll_wakes_when_a_message_is_published(bus, topic):
    consumer = bus.consumer(topic, f"g-{topic}")
    drain(consumer, 0)
    producer = bus.producer()
    timer = threading.Timer(0.3, lambda: producer.publish(topic, [b"late"], [b"k"]))
    timer.start()
    started = time.monotonic()
    assert _values(drain(consumer, 1, timeout=15)) == [b"late"]
    assert time.monotonic() - started < 10
    timer.join()
    consumer.close()


def test_large_batched_messages_arrive(bus, topic):
    """A message holds many NDJSON lines; several MB in one poll must not be dropped (FACTS.md)."""
    line = b'{"event":{"id":"%d"},"pad":"' + b"x" * 900 + b'"}\n'
    batch = b"".join(line.replace(b"%d", str(i).encode()) for i in range(1500))  # ~1.4 MB, 2.8 MB per fetch
    consumer = bus.consumer(topic, f"g-{topic}")
    bus.producer().publish(topic, [batch, batch], [b"k", b"k"])
    got = drain(consumer, 2)
    assert [len(m.value) for m in got] == [len(batch)] * 2
    consumer.close()


def test_lag_counts_uncommitted_messages(bus, topic):
    consumer = bus.consumer(topic, f"g-{topic}")
    bus.producer().publish(topic, [b"1", b"2", b"3"], [b"k"] * 3)
    assert bus.lag(topic, f"g-{topic}") == 3
    drain(consumer, 3)
    consumer.commit()
    assert bus.lag(topic, f"g-{topic}") == 0
    consumer.close()
