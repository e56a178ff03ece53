"""`mlm-siem rules export`: convert the Sigma rule pack to Elasticsearch queries with pySigma's backend.

Each rule is converted on its own so one unsupported construct skips one rule, with the reason,
rather than the whole pack: Lucene has no correlations; ES|QL has no ordered sequences. A detection
rule the language cannot express (Lucene has no field references, EQL no `exists`) is given in ES|QL. Our fields are already ECS names, so no field-mapping pipeline is needed.
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
# Elastic runs ES|QL rules beside query rules, and ES|QL compares fields (Lucene cannot) and tests
# existence (EQL cannot): a detection rule the chosen language cannot express is exported in ES|QL.
FALLBACK = "esql"


@dataclass(slots=True)
class ExportResult:
    queries: list[dict[str, Any]] = field(default_factory=list)  # one per converted rule
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (rule, reason)


def export_rules(dirs: list[Path], language: str = "lucene", output_format: str = "default") -> ExportResult:
    """Convert every rule under `dirs` but deprecated ones; detection rules always (in ES|QL when the
    language cannot express one, e.g. a Lucene field reference), correlations where the language can."""
    collection = load_collection(rule_files(dirs))
    result = ExportResult()
    for rule in collection.rules:
        label = f"{rule.title} ({rule.id})"
        if rule.status == SigmaStatus.DEPRECATED:
            result.skipped.append((label, "deprecated: covered elsewhere, not run"))
            continue
        used = language
        queries: list[Any] | None
        try:
            queries = _convert(rule, language, output_format)
        except Exception as exc:  # noqa: BLE001 - pySigma raises NotImplementedError and SigmaError subclasses
            detection = not isinstance(rule, SigmaCorrelationRule)
            queries = _try(rule, FALLBACK, output_format) if detection and language != FALLBACK else None
            if queries is None:
                result.skipped.append((label, f"{type(exc).__name__}: {exc}"))
                continue
            used = FALLBACK
        result.queries.append({
            "rule": {"id": str(rule.id), "name": rule.name, "title": rule.title},
            "language": used, "format": output_format,
            "correlation": isinstance(rule, SigmaCorrelationRule),
            "queries": queries,
        })
    return result


def _convert(rule: Any, language: str, output_format: str) -> list[Any]:
    """One rule's queries in one language; raises what pySigma raises."""
    queries = BACKENDS[language](ProcessingPipeline()).convert(_alone(rule), output_format)
    return queries if isinstance(queries, list) else [queries]


def _try(rule: Any, language: str, output_format: str) -> list[Any] | None:
    """`_convert`, or None when this language cannot express the rule either."""
    try:
        return _convert(rule, language, output_format)
    except Exception:  # noqa: BLE001 - the first language's reason is the one reported
        return None


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
