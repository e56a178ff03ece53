"""Partitions merged into event-time order: the unit (core/bus/order.py) and a worker catching up
on a Kafka backlog, where each fetch drains one partition before the next."""

from __future__ import annotations

import time

import orjson
from builders import make_event_dict
from scoped_stream import partition_of

from core.bus.order import PartitionMerge
from detectors.engine import Engine
from detectors.worker import DetectorWorker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_partitions_are_interleaved_by_time_and_each_keeps_its_own_order():
    merge = PartitionMerge(clock=Clock())
    merge.add(0, 10, [(1.0, "a1"), (5.0, "a5")])
    merge.add(0, 11, [(3.0, "a3")])  # out of time order inside its partition: stays after a5
    merge.add(1, 70, [(2.0, "b2"), (4.0, "b4"), (6.0, "b6")])
    assert merge.release(set()) == ["a1", "b2", "b4", "a5", "a3", "b6"]
    assert merge.offsets() == {0: 12, 1: 71} and merge.size == 0


def test_a_partition_with_unread_messages_holds_the_others_until_max_wait():
    clock = Clock()
    merge = PartitionMerge(max_wait=2.0, clock=clock)
    merge.add(0, 5, [(10.0, "a")])
    merge.add(0, 6, [(11.0, "b")])
    assert merge.release({1}) == []  # partition 1 may hold earlier events
    assert merge.offsets() == {0: 5}  # nothing handled: nothing committed
    merge.add(1, 0, [(9.0, "z")])
    assert merge.release({1}) == ["z"]  # 1 is empty again: a and b wait for its next fetch
    clock.now += 2.5  # partition 1 stalls: go on without it
    assert merge.release({1}) == ["a", "b"]
    assert merge.offsets() == {0: 7, 1: 1}


def test_a_message_is_committed_only_when_all_its_events_are_released():
    merge = PartitionMerge(clock=Clock())
    merge.add(0, 3, [(1.0, "x"), (9.0, "y")])
    merge.add(1, 8, [(5.0, "m")])
    assert merge.release({1}) == ["x", "m"]
    assert merge.offsets() == {0: 3, 1: 9}  # y is still queued: message 3 is delivered again
    merge.add(0, 4, [])  # a message of bad lines only is done at once, but 3 still waits
    assert merge.offsets() == {0: 3, 1: 9}


def test_the_queue_is_bounded_and_revoked_partitions_are_dropped():
    merge = PartitionMerge(max_items=4, clock=Clock())
    merge.add(0, 0, [(float(i), i) for i in range(6)])
    assert merge.release({1}) == [0, 1]  # over the bound: release down to it, oldest first
    merge.add(1, 0, [(0.5, "late")])
    merge.keep({1})
    assert merge.size == 1 and merge.offsets() == {1: 0}


class Recorder:
    """Notes the event times it is given, in order."""

    name = "recorder"

    def __init__(self) -> None:
        self.times: list[float] = []

    def process(self, event):
        self.times.append(event.ts)
        return []


def test_a_worker_catching_up_on_a_kafka_backlog_sees_the_partitions_in_time_order(kafka_bus, topic, tmp_path):
    from core.store.sqlite import SqliteStore

    # 3 partitions, 150 messages each of one event, times interleaved across partitions.
    events = [make_event_dict(i, user__id=f"u{i % 3}") for i in range(450)]
    by_partition = {partition_of(f"k{i}".encode()): f"k{i}".encode() for i in range(50)}
    keys = [by_partition[p] for p in range(3)]  # one key per partition
    kafka_bus.producer().publish(topic, [orjson.dumps(e) for e in events],
                                 [keys[i % 3] for i in range(len(events))])
    recorder = Recorder()
    store = SqliteStore(str(tmp_path / "events.db"))
    worker = DetectorWorker(kafka_bus, store, Engine([recorder]), group=f"g-{topic}", poll_records=50,
                            poll_timeout=0.2, topic=topic)
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while len(recorder.times) < len(events) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(recorder.times) == len(events)
        assert recorder.times == sorted(recorder.times)
        deadline = time.monotonic() + 10
        while kafka_bus.lag(topic, f"g-{topic}") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert kafka_bus.lag(topic, f"g-{topic}") == 0
    finally:
        worker.stop()
        store.close()
