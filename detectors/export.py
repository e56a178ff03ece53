"""`mlm-siem rules export`: convert the Sigma rule pack to Elasticsearch queries with pySigma's backend.

Each rule is converted on its own so one unsupported construct skips one rule, with the reason,
rather than the whole pack: Lucene has no correlations; ES|QL has no ordered sequences; EQL has no
`exists`. Our fields are already ECS names, so no field-mapping pipeline is needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sigma.backends.elasticsearch import EqlBackend, ESQLBackend, LuceneBackend
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.processing.pipeline import ProcessingPipeline
from sigma.rule import SigmaStatus

from detectors.sigma.loader import load_collection, rule_files

BACKENDS = {"lucene": LuceneBackend, "esql": ESQLBackend, "eql": EqlBackend}


@dataclass(slots=True)
class ExportResult:
    queries: list[dict[str, Any]] = field(default_factory=list)  # one per converted rule
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (rule, reason)


def export_rules(dirs: list[Path], language: str = "lucene", output_format: str = "default") -> ExportResult:
    """Convert every rule under `dirs` but deprecated ones; detection rules always, correlations where
    the language can."""
    collection = load_collection(rule_files(dirs))
    backend_class = BACKENDS[language]
    result = ExportResult()
    for rule in collection.rules:
        label = f"{rule.title} ({rule.id})"
        if rule.status == SigmaStatus.DEPRECATED:
            result.skipped.append((label, "deprecated: covered elsewhere, not run"))
            continue
        backend = backend_class(ProcessingPipeline())
        try:
            queries = backend.convert(_alone(rule), output_format)
        except Exception as exc:  # noqa: BLE001 - pySigma raises NotImplementedError and SigmaError subclasses
            result.skipped.append((label, f"{type(exc).__name__}: {exc}"))
            continue
        if not isinstance(queries, list):
            queries = [queries]
        result.queries.append({
            "rule": {"id": str(rule.id), "name": rule.name, "title": rule.title},
            "language": language, "format": output_format,
            "correlation": isinstance(rule, SigmaCorrelationRule),
            "queries": queries,
        })
    return result


def _alone(rule: Any) -> SigmaCollection:
    """A collection holding one rule (plus the rules a correlation references, not output alone)."""
    if isinstance(rule, SigmaCorrelationRule):
        members = [ref.rule for ref in rule.rules or []]
        for member in members:
            member._output = False
        return SigmaCollection(init_rules=[*members, rule], resolve_references=True)
    rule._output = True
    return SigmaCollection(init_rules=[rule], resolve_references=False)


def to_ndjson(result: ExportResult) -> bytes:
    """One JSON object per converted rule."""
    return b"".join(orjson.dumps(item, default=str) + b"\n" for item in result.queries)
