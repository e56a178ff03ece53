"""`mlm-siem eval --world alt` end to end on a small independent world (the detectors as a black box)."""

from __future__ import annotations

import pytest

from simulator.alt import generate
from simulator.evaluate import (
    Score,
    false_positives_by_rule,
    issue5_bar,
    report,
    run_detection,
    score_world,
    world_generator,
)


def test_a_small_alt_world_is_replayed_and_scored_per_kind():
    world = generate(11, distributors=100, baseline_days=1, test_days=1, scale=0.15)
    score = Score()
    alerts = run_detection(world, score)
    score_world(world, alerts, score)
    assert set(score.found) == {f"{t.family}/{t.kind}" for t in world.truth}
    assert score.events == len(world.events) and score.benign_entities == world.benign_entities > 100
    # A single server sending dozens of requests a second is the least any deployment must see.
    assert score.found["traffic_flood/single_ip_flood"] == [True]
    text = report(score) + "\n" + false_positives_by_rule(score) + "\n" + issue5_bar(score)
    assert "injection/sqli@query" in text and "FP by rule" in text
    assert "traffic_flood" in issue5_bar(score).split("Issue 5 bar")[1]


def test_the_world_flag_names_a_generator_or_fails_clearly():
    assert world_generator("alt") is generate
    with pytest.raises(ValueError, match="unknown world 'other'"):
        world_generator("other")


def test_the_issue5_bar_fails_a_family_on_any_miss_fp_or_slow_detection():
    score = Score(benign_entities=10_000)
    score.found["a/x"] = [True, True]
    score.ttd["a/x"] = [10.0, 50.0]
    score.found["b/y"] = [True, False]
    score.ttd["b/y"] = [5.0]
    score.found["c/z"] = [True]
    score.ttd["c/z"] = [600.0]
    score.false_positives["c"] = {(1, "ip", f"10.0.0.{i}", "r") for i in range(4)}
    lines = issue5_bar(score).splitlines()
    assert lines[1].split() == ["a", "PASS"]
    assert lines[2].split() == ["b", "FAIL:", "recall"]
    assert lines[3].split() == ["c", "FAIL:", "FP,", "TTD"]


def test_eval_and_simulate_take_the_world_flag_and_default_to_the_old_world():
    import argparse

    from simulator import cli

    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["eval", "--world", "alt", "--seeds", "1", "2", "3"])
    assert (args.world, args.seeds, args.func) == ("alt", [1, 2, 3], cli._eval)
    assert parser.parse_args(["eval"]).world == "sim"
    assert parser.parse_args(["simulate", "--world", "alt", "--out", "x"]).world == "alt"
    with pytest.raises(SystemExit):
        parser.parse_args(["eval", "--world", "other"])
