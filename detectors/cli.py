"""Detector commands: replay, train, rules export, serve-detectors."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

log = logging.getLogger("detectors.cli")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("replay", help="run detection over recorded NDJSON events (event-time order)")
    p.add_argument("input", help="events, NDJSON (.ndjson or .ndjson.gz; - for stdin)")
    p.add_argument("--baseline", help="benign events to fit models and warm stateful rules on first")
    p.add_argument("--out", help="write alerts here as NDJSON (default: stdout)")
    p.add_argument("--rules", action="append", help="use the Sigma rules under DIR only (repeatable)")
    p.add_argument("--models", help="load trained models from DIR (mlm-siem train)")
    p.add_argument("--reorder", type=int, default=None, help="reorder buffer size in events (default 10000)")
    p.set_defaults(func=_replay)

    p = subparsers.add_parser("train", help="fit anomaly models on benign baseline events and save them")
    p.add_argument("--baseline", required=True, help="benign events, NDJSON (.gz accepted)")
    p.add_argument("--out", required=True, help="folder for the saved models")
    p.set_defaults(func=_train)

    rules = subparsers.add_parser("rules", help="work with the Sigma rule pack")
    actions = rules.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    p = actions.add_parser("export", help="convert the Sigma rules to SIEM queries with pySigma")
    p.add_argument("--target", choices=["elasticsearch"], default="elasticsearch")
    p.add_argument("--language", choices=["lucene", "esql", "eql"], default="lucene")
    p.add_argument("--format", default="default", help="pySigma output format, e.g. siem_rule_ndjson")
    p.add_argument("--rules", action="append", help="rules folder (default: the packaged rule pack)")
    p.add_argument("--out", help="write NDJSON here (default: stdout)")
    p.set_defaults(func=_export)

    p = subparsers.add_parser("serve-detectors", help="run a detector worker (distributed mode) with /health")
    p.add_argument("--scope", choices=["all", "entity", "global"],
                   help="which detectors: entity (scaled group), global (one replica), all (default; "
                        "MLM_SIEM_DETECTORS_SCOPE)")
    p.add_argument("--group", help="Kafka consumer group (default: detectors, or detectors-global for "
                                   "--scope global; MLM_SIEM_DETECTORS_GROUP)")
    p.set_defaults(func=_serve)


def _config(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from detectors.base import DetectorConfig

    rules = [Path(r) for r in args.rules or []]
    return DetectorConfig(rules_dirs=rules, models_dir=Path(args.models) if getattr(args, "models", None) else None,
                          only_rules=bool(rules))


def _replay(args: argparse.Namespace) -> int:
    from detectors.engine import Engine
    from detectors.replay import DEFAULT_REORDER, replay, summary
    from detectors.sigma import RuleLoadError

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    for path in [args.input, args.baseline]:
        if path and path != "-" and not Path(path).is_file():
            print(f"error: {path}: no such file", file=sys.stderr)
            return 2
    try:
        engine = Engine.build(_config(args))
    except (RuleLoadError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = open(args.out, "wb") if args.out else sys.stdout.buffer  # noqa: SIM115
    try:
        result = replay(engine, args.input, out, args.baseline, DEFAULT_REORDER if args.reorder is None else max(0, args.reorder), sys.stderr)
    finally:
        if args.out:
            out.close()
    print(summary(result), file=sys.stderr)
    return 0


def _train(args: argparse.Namespace) -> int:
    from detectors.base import DetectorConfig
    from detectors.train import train

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    baseline = Path(args.baseline)
    if not baseline.is_file():
        print(f"error: {baseline}: no such file", file=sys.stderr)
        return 2
    result = train(DetectorConfig(), baseline, Path(args.out), sys.stderr)
    print(f"train: {result.events:,} baseline events ({result.bad:,} bad lines); "
          f"saved {', '.join(result.models) or 'no models (no trainable detector installed)'} to {args.out}",
          file=sys.stderr)
    for failure in result.failed:
        print(f"failed: {failure}", file=sys.stderr)
    return 1 if result.failed else 0


def _export(args: argparse.Namespace) -> int:
    from detectors.export import export_rules, to_ndjson
    from detectors.sigma import PACKAGED_RULES, RuleLoadError

    dirs = [Path(r) for r in args.rules or []] or [PACKAGED_RULES]
    try:
        result = export_rules(dirs, args.language, args.format)
    except (RuleLoadError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    data = to_ndjson(result)
    if args.out:
        Path(args.out).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    for rule, reason in result.skipped:
        print(f"skipped {rule}: {reason}", file=sys.stderr)
    print(f"exported {len(result.queries)} rules as {args.language}, skipped {len(result.skipped)}", file=sys.stderr)
    return 0


def _serve(args: argparse.Namespace) -> int:
    from detectors.serve import serve_detectors
    from detectors.settings import DetectorSettings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s detectors %(levelname)s %(name)s: %(message)s")
    overrides = {k: v for k, v in (("scope", args.scope), ("group", args.group)) if v is not None}
    return serve_detectors(DetectorSettings(**overrides))
