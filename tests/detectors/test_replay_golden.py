"""Speed work must not change what is detected: a seeded simulated world replays to golden alerts.

The digests were computed from the code BEFORE the throughput work (routing, lazy fields, cheaper
field access). They are kept per family so that a deliberate detection change in one family shows
where it is, and only that family's digest is recomputed (run this file with `-s` to print them).
"""

from __future__ import annotations

import hashlib
import io
from collections import defaultdict
from pathlib import Path

import orjson
import pytest

from detectors.base import DetectorConfig
from detectors.engine import Engine
from detectors.replay import replay

GOLDEN = {
    "sigma": (25,
        "3c366844a66a95700dd6ee652322f2248cc4c3a2cf0d717c166f773ca95bd602"),
    "ato": (6,
        "0747e080bf35669f6d593c6a5bdb51ed52b7747246ad6460553d1e6957ecdb31"),
    "fraud": (11,
        "d4442a5976d28cc0b6a5f261903d132ebe51538d5e8854df678d9a017425fdcc"),
    "injection": (12,
        "71a96438ced9ca01e81b8c87da106f98de64ca371b803e3be25900ab25d4454c"),
    "flood": (12,
        "a776437a4e9acdf4aef8d3e30b271e8893195285ef106a8783f78cf5c391378b"),
    "anomaly": (0,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
}
PREFIXES = {"mlm-ato-": "ato", "mlm-fraud-": "fraud", "injection.": "injection", "flood.": "flood",
            "anomaly.": "anomaly", "mlm-anomaly-": "anomaly"}


def _family(rule_id: str) -> str:
    for prefix, family in PREFIXES.items():
        if rule_id.startswith(prefix):
            return family
    return "sigma"


@pytest.fixture(scope="module")
def world_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from simulator.world import generate

    world = generate(3, distributors=120, baseline_days=2, test_days=1)
    folder = tmp_path_factory.mktemp("world3")
    paths = folder / "baseline.ndjson", folder / "events.ndjson"
    for path, events in zip(paths, (world.baseline, world.events)):
        path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    return paths


def _replay_lines(baseline: Path, events: Path) -> list[bytes]:
    engine = Engine.build(DetectorConfig(), strict=True)
    out = io.BytesIO()
    replay(engine, events, out, baseline=baseline)
    assert not engine.errors, engine.errors
    return out.getvalue().splitlines()


def _digests(lines: list[bytes]) -> dict[str, tuple[int, str]]:
    by_family: dict[str, list[bytes]] = defaultdict(list)
    for line in lines:
        by_family[_family(orjson.loads(line)["rule"]["id"])].append(line)
    return {family: (len(by_family[family]), hashlib.sha256(b"\n".join(by_family[family])).hexdigest())
            for family in GOLDEN}


def test_simulated_world_replays_to_the_golden_alerts(world_files: tuple[Path, Path]) -> None:
    digests = _digests(_replay_lines(*world_files))
    print({family: digest for family, digest in digests.items()})
    assert digests == GOLDEN
