"""Events/s of the injection and flood detectors over a mixed `mlm.http` stream.

The stream mixes what a live MLM site sends: mostly page and asset requests without query or body,
benign searches and JSON orders, and a few percent of attack payloads. Events are parsed before
timing starts: this measures the detectors, not JSON parsing.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from core.event import Event, format_timestamp
from detectors.flood import FloodDetector
from detectors.injection import InjectionDetector
from detectors.injection.analyzer import Analyzer
from detectors.injection.corpus import attack_events
from detectors.injection.corpus_benign import benign_values
from detectors.injection.model import load_or_train

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
# Five thousand visitors' addresses: a live site sees repeat clients (a stream of all-new
# addresses is the distributed-flood worst case, measured by `fresh_ip` figures below).
IPS = [f"198.51.{i // 250}.{1 + i % 250}" for i in range(5000)]
PAGES = ["/", "/shop", "/cart", "/genealogy", "/static/app.js", "/static/app.css", "/static/logo.png",
         "/api/orders/1234", "/product/17"]


def _event(i: int, rng: random.Random, fields: dict[str, Any]) -> Event:
    doc: dict[str, Any] = {
        "@timestamp": format_timestamp(T0 + timedelta(milliseconds=i * 2)), "event.id": f"b-{i}",
        "event.dataset": "mlm.http", "event.action": "http_request", "event.kind": "event",
        "event.outcome": "success", "service.name": "mlm_app", "http.request.method": "GET",
        "source.ip": rng.choice(IPS), "url.path": rng.choice(PAGES),
        "http.response.status_code": 200, "user_agent.original": "Mozilla/5.0 (X11; Linux x86_64)",
        "mlm.session.id": f"s{rng.randint(1, 5000)}",
    }
    doc.update(fields)
    return Event.from_dict(doc)


def mixed_stream(count: int, seed: int = 1) -> list[Event]:
    """70% plain page/asset hits, 25% benign query or body, 5% attack payloads of every class."""
    rng = random.Random(seed)
    benign = benign_values(max(count // 4, 10), seed)
    attacks = [f for events in attack_events(max(count // 100, 5), seed).values() for f in events]
    out = []
    for i in range(count):
        roll = rng.random()
        fields = rng.choice(benign) if 0.70 <= roll < 0.95 else rng.choice(attacks) if roll >= 0.95 else {}
        out.append(_event(i, rng, fields))
    return out


def _rate(detector: Any, events: list[Event]) -> tuple[float, float, int]:
    """Events/s by wall clock and by this process's CPU time (the machine is shared: both are shown)."""
    wall, cpu = time.perf_counter(), time.process_time()
    alerts = sum(len(detector.process(e)) for e in events)
    return len(events) / (time.perf_counter() - wall), len(events) / (time.process_time() - cpu), alerts


def run(quick: bool) -> dict[str, object]:
    count = 20_000 if quick else 200_000
    events = mixed_stream(count)
    analyzer = Analyzer(model=load_or_train(None))
    injection_rate, injection_cpu, injection_alerts = _rate(InjectionDetector(analyzer), events)
    flood_rate, flood_cpu, flood_alerts = _rate(FloodDetector(), events)
    both = _Both(InjectionDetector(Analyzer(model=analyzer.model)), FloodDetector())
    combined, combined_cpu, _ = _rate(both, events)
    for i, event in enumerate(events):  # every request from a new address: the key tables' worst case
        event.flat["source.ip"] = f"10.{i // 62_500 % 256}.{i // 250 % 250}.{1 + i % 250}"
    _, fresh_cpu, _ = _rate(FloodDetector(), events)
    figures = {} if quick else _public_lists()
    return {
        "events": count,
        "pattern_engine": analyzer.matcher.engine,
        "injection_events_per_s": round(injection_rate),
        "injection_events_per_cpu_s": round(injection_cpu),
        "flood_events_per_s": round(flood_rate),
        "flood_events_per_cpu_s": round(flood_cpu),
        "flood_fresh_ip_events_per_cpu_s": round(fresh_cpu),
        "injection_plus_flood_events_per_s": round(combined),
        "injection_plus_flood_events_per_cpu_s": round(combined_cpu),
        "injection_alerts": injection_alerts,
        "flood_alerts": flood_alerts,
        **figures,
    }


def _public_lists() -> dict[str, object]:
    """Recall per class on the public payload lists found here, and the real-benign alert rate
    (`python -m detectors.injection.evaluate --fetch` fetches the registry lists first)."""
    from detectors.injection.evaluate import report

    figures = report(per_kind=200)
    return {"public_lists_recall_by_class": figures["classes"], "public_lists_payloads": figures["payloads"],
            "real_benign_requests": figures["benign_requests"], "real_benign_fpr": figures["benign_fpr"]}


class _Both:
    """Both detectors on each event, as the engine runs them."""

    def __init__(self, *detectors: Any) -> None:
        self.detectors = detectors

    def process(self, event: Event) -> list[Any]:
        return [a for d in self.detectors for a in d.process(event)]
