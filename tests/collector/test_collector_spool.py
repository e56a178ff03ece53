"""The write-ahead spool: durable appends, checkpoints, replay, torn tails, segment clean-up."""

from __future__ import annotations

import os

import pytest

from collector.spool import Position, Spool, SpoolInUse


def _payloads(spool: Spool) -> list[bytes]:
    return [payload for _, _, payload in spool.pending()]


def test_appends_after_the_checkpoint_are_replayed_on_reopen(tmp_path):
    spool = Spool(tmp_path)
    first, size = spool.append(b"one")
    spool.append(b"two")
    spool.append(b"three")
    spool.checkpoint(first, size)
    spool.close()
    reopened = Spool(tmp_path)
    assert _payloads(reopened) == [b"two", b"three"]
    assert reopened.backlog_bytes == 2 * 8 + len(b"twothree")


def test_nothing_is_replayed_once_everything_is_checkpointed(tmp_path):
    spool = Spool(tmp_path)
    for i in range(5):
        position, size = spool.append(b"x%d" % i)
        spool.checkpoint(position, size)
    assert spool.backlog_bytes == 0
    spool.close()
    reopened = Spool(tmp_path)
    assert _payloads(reopened) == []
    assert len(list(tmp_path.glob("*.seg"))) == 1  # only the fresh segment: finished ones are gone


def test_a_torn_tail_is_skipped_and_earlier_records_survive(tmp_path):
    spool = Spool(tmp_path)
    spool.append(b"kept")
    position, _ = spool.append(b"torn record")
    spool.close()
    segment = tmp_path / f"{position.segment:012d}.seg"
    os.truncate(segment, segment.stat().st_size - 3)  # a crash in the middle of the write
    reopened = Spool(tmp_path)
    assert _payloads(reopened) == [b"kept"]
    assert reopened.backlog_bytes == 8 + len(b"kept")


def test_a_damaged_record_stops_replay_of_its_segment(tmp_path):
    spool = Spool(tmp_path)
    position, _ = spool.append(b"good")
    spool.append(b"flipped")
    spool.close()
    segment = tmp_path / f"{position.segment:012d}.seg"
    data = bytearray(segment.read_bytes())
    data[-1] ^= 0xFF
    segment.write_bytes(bytes(data))
    assert _payloads(Spool(tmp_path)) == [b"good"]


def test_segments_roll_and_finished_ones_are_deleted(tmp_path):
    spool = Spool(tmp_path, segment_bytes=4096)
    positions = [spool.append(b"y" * 1000) for _ in range(20)]
    segments = {p.segment for p, _ in positions}
    assert len(segments) >= 4
    last, _ = positions[-1]
    spool.checkpoint(last, sum(size for _, size in positions))
    remaining = sorted(p.name for p in tmp_path.glob("*.seg"))
    assert remaining == [f"{last.segment:012d}.seg"]
    assert spool.backlog_bytes == 0


def test_a_restart_appends_to_a_fresh_segment(tmp_path):
    spool = Spool(tmp_path)
    before, _ = spool.append(b"a")
    spool.close()
    again = Spool(tmp_path)
    after, _ = again.append(b"b")
    assert after.segment == before.segment + 1
    assert _payloads(again) == [b"a"]  # pending() covers only what was there at open
    again.close()
    assert _payloads(Spool(tmp_path)) == [b"a", b"b"]


def test_a_failed_write_is_cut_back_so_later_records_stay_readable(tmp_path, monkeypatch):
    spool = Spool(tmp_path)
    spool.append(b"before")
    real_write = os.write
    calls = {"n": 0}

    def short_then_fail(fd, data):
        calls["n"] += 1
        if calls["n"] == 1:
            real_write(fd, bytes(data[:5]))
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", short_then_fail)
    try:
        spool.append(b"lost, never acknowledged")
    except OSError:
        pass
    else:
        raise AssertionError("the append should have failed")
    spool.append(b"after")
    spool.close()
    assert _payloads(Spool(tmp_path)) == [b"before", b"after"]


def test_positions_order_like_the_spool():
    assert Position(1, 500) < Position(2, 0) < Position(2, 10)


def test_one_spool_has_one_owner(tmp_path):
    spool = Spool(tmp_path)
    with pytest.raises(SpoolInUse):
        Spool(tmp_path)
    spool.close()
    Spool(tmp_path).close()
