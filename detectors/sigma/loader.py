"""Find and parse rule files into one pySigma collection; every error names its file."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sigma.collection import SigmaCollection
from sigma.exceptions import SigmaError, SigmaRuleLocation

PACKAGED_RULES = Path(__file__).resolve().parent.parent / "rules"
SKIP_DIRS = {"samples"}  # rule samples live beside the rules but are not rules


class RuleLoadError(ValueError):
    """A rule file could not be read or parsed; the message starts with the file path."""


def rule_files(dirs: Iterable[Path]) -> list[Path]:
    """Every *.yml / *.yaml under the given folders (or the files themselves), sorted, samples skipped."""
    found: list[Path] = []
    for base in dirs:
        base = Path(base)
        if base.is_file():
            found.append(base)
            continue
        if not base.is_dir():
            raise RuleLoadError(f"{base}: no such rules folder")
        for path in sorted(base.rglob("*")):
            if path.suffix in (".yml", ".yaml") and not SKIP_DIRS & set(path.relative_to(base).parts[:-1]):
                found.append(path)
    return found


def load_file(path: Path) -> SigmaCollection:
    """Parse one file (one or more YAML documents) without resolving cross-file references."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleLoadError(f"{path}: cannot read: {exc}") from None
    try:
        return SigmaCollection.from_yaml(text, source=SigmaRuleLocation(path), resolve_references=False)
    except SigmaError as exc:
        raise RuleLoadError(f"{path}: {exc.args[0] if exc.args else exc}") from None
    except Exception as exc:  # noqa: BLE001 - YAML syntax errors and the like: still name the file
        raise RuleLoadError(f"{path}: {type(exc).__name__}: {exc}") from None


def load_collection(paths: Iterable[Path]) -> SigmaCollection:
    """All files merged into one collection, correlation references resolved across files."""
    collections = [load_file(p) for p in paths]
    merged = SigmaCollection.merge(collections, resolve_references=False)
    try:
        merged.resolve_rule_references()
    except SigmaError as exc:
        raise RuleLoadError(str(exc)) from None
    return merged
