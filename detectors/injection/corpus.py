"""The generated corpus as the detector sees it: event fields for evaluation, decoded texts for training."""

from __future__ import annotations

from urllib.parse import unquote_plus

from detectors.injection import decode
from detectors.injection.corpus_attacks import GENERATORS, attacks
from detectors.injection.corpus_benign import benign_values

CLASSES = tuple(GENERATORS)


def attack_fields(cls: str, raw: str) -> dict[str, str]:
    """Where a generated payload travels: JSON operator documents in the body, param forms raw, else `q=`."""
    if cls == "nosql":
        decoded = unquote_plus(unquote_plus(raw))
        if decoded.lstrip().startswith("{"):
            return {"http.request.body.content": decoded, "http.request.mime_type": "application/json"}
        if "[$" in decoded and "=" in decoded:
            return {"url.query": decoded}
    return {"url.query": "q=" + raw}


def attack_events(per_class: int, seed: int) -> dict[str, list[dict[str, str]]]:
    """Event field overrides of `per_class` payloads for every class."""
    return {cls: [attack_fields(cls, raw) for raw in attacks(cls, per_class, seed)] for cls in CLASSES}


def _decoded(fields: dict[str, str]) -> list[str]:
    parts: list[str] = []
    if "url.query" in fields:
        parts.extend(decode.query_parts(fields["url.query"]))
    if "http.request.body.content" in fields:
        parts.extend(decode.body_parts(fields["http.request.body.content"]))
    return parts


def training_texts(per_class: int, benign: int, seed: int) -> tuple[list[str], list[str]]:
    """Decoded values and labels; attack events contribute only their payload-bearing values."""
    texts: list[str] = []
    labels: list[str] = []
    for cls, events in attack_events(per_class, seed).items():
        for fields in events:
            parts = [p for p in _decoded(fields) if not decode.is_plain(p)]
            if parts:
                texts.append(max(parts, key=len))
                labels.append(cls)
    seen: set[str] = set()
    for fields in benign_values(benign, seed):
        for part in _decoded(fields):
            if part not in seen:  # the benign grammar repeats itself; duplicates only slow the fit
                seen.add(part)
                texts.append(part)
                labels.append("benign")
    return texts, labels
