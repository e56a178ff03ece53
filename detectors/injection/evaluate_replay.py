"""The public-list evaluation end to end: events for `mlm-siem replay`, then recall from its alerts.

`python -m detectors.injection.evaluate_replay write EVENTS.ndjson` writes one `mlm.http` event per
payload and placement (and per benign value), each from its own address so the per-source
aggregation cannot hide a miss (`--attack-sources N` sends the payloads from N addresses instead, as
a scanner would); `mlm-siem replay EVENTS.ndjson --out ALERTS.ndjson` runs the whole detection
pipeline; `python -m detectors.injection.evaluate_replay score EVENTS ALERTS` counts, per class and
placement, the events named as evidence by any injection alert (`--attempts-only`: by the alerts a
single request raises, leaving out scanner and roll-up evidence).
"""

from __future__ import annotations

import argparse
import gzip
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from detectors.injection import evaluate, real_corpora

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def _address(n: int) -> str:
    """A distinct address per event (198.18.0.0/15, the benchmarking range: never routed)."""
    return f"198.{18 + n // 65_536 % 2}.{n // 256 % 256}.{n % 256}"


def _attacker(n: int, sources: int) -> str:
    """One of `sources` scanner addresses (TEST-NET-3), apart from the benign ones."""
    return f"203.0.113.{n % sources + 1}"


def _events(per_kind: int) -> Iterator[tuple[str, dict[str, str]]]:
    """(label, fields) for every payload placement and every benign value placement."""
    for source in real_corpora.attack_sources():
        for n, payload in enumerate(dict.fromkeys(source.payloads)):
            for placement, place in evaluate.PLACEMENTS.items():
                yield f"atk|{source.cls}|{placement}|{source.name}|{n}", place(payload)
    for kind, values in evaluate.benign_sets(per_kind).items():
        placement = "json" if kind == "json_body" else "user_agent" if kind.endswith("user_agent") else "query"
        for n, value in enumerate(values):
            fields = {"http.request.body.content": value} if placement == "json" else \
                evaluate.PLACEMENTS[placement](value)
            yield f"ben|{kind}|{placement}|{n}", fields


def write(path: Path, per_kind: int = 200, attack_sources: int = 0) -> int:
    """Write the labelled events (label = event id); returns how many. With `attack_sources` the
    payloads come from that many addresses (at most 250) instead of one each."""
    count = 0
    with path.open("wb") as out:
        for count, (label, fields) in enumerate(_events(per_kind), 1):
            doc: dict[str, Any] = {  # flat dotted names, as the contract allows
                "@timestamp": (T0 + timedelta(milliseconds=count * 50)).isoformat().replace("+00:00", "Z"),
                "event.id": label, "event.kind": "event", "event.dataset": "mlm.http",
                "event.action": "http_request", "event.category": ["web"], "event.outcome": "success",
                "service.name": "mlm_app", "url.path": "/shop",
                "source.ip": _attacker(count, attack_sources) if attack_sources and label.startswith("atk|")
                else _address(count),
                "http.request.method": "POST" if "http.request.body.content" in fields else "GET",
                "http.response.status_code": 200, "user_agent.original": "Mozilla/5.0 (X11; Linux x86_64)",
                **fields,
            }
            out.write(orjson.dumps(doc) + b"\n")
    return count


def _lines(path: Path) -> Iterator[bytes]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        yield from (line for line in handle if line.strip())


AGGREGATE_RULES = ("injection.scanner", "injection.continued")


def score(events: Path, alerts: Path, attempts_only: bool = False) -> dict[str, object]:
    """Recall per class and placement, and the benign alert rate, from the replay's alerts."""
    flagged: set[str] = set()
    for line in _lines(alerts):
        alert = orjson.loads(line)
        if alert.get("category") == "injection" and not (attempts_only and alert["rule"]["id"] in AGGREGATE_RULES):
            flagged.update(alert.get("event_ids", []))
    tallies: dict[str, list[int]] = {}
    for line in _lines(events):
        doc = orjson.loads(line)
        label = doc.get("event.id") or doc["event"]["id"]
        kind, cls, placement = label.split("|")[:3]
        key = f"{cls}/{placement}" if kind == "atk" else f"benign/{cls}"
        tally = tallies.setdefault(key, [0, 0])
        tally[0] += 1
        tally[1] += label in flagged
    out: dict[str, object] = {k: {"n": n, "alerted": round(a / n, 4)} for k, (n, a) in sorted(tallies.items())}
    benign = [v for k, v in tallies.items() if k.startswith("benign/")]
    total, alerted = sum(n for n, _ in benign), sum(a for _, a in benign)
    out["benign_fpr"] = round(alerted / max(total, 1), 5)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write", help="write the labelled events")
    w.add_argument("events", type=Path)
    w.add_argument("--per-kind", type=int, default=200)
    w.add_argument("--attack-sources", type=int, default=0, choices=range(251), metavar="0-250",
                   help="send the payloads from this many addresses (0: one address each)")
    s = sub.add_parser("score", help="score a replay's alerts")
    s.add_argument("events", type=Path)
    s.add_argument("alerts", type=Path)
    s.add_argument("--attempts-only", action="store_true", help="leave out scanner and roll-up evidence")
    args = parser.parse_args(argv)
    if args.command == "write":
        print(f"{write(args.events, args.per_kind, args.attack_sources)} events written to {args.events}", file=sys.stderr)
    else:
        sys.stdout.write(orjson.dumps(score(args.events, args.alerts, args.attempts_only), option=orjson.OPT_INDENT_2).decode() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
