"""Feature schemas and versioned model files: a model loads only with the schema it was fitted on.

Layout: `<models_dir>/<model name>/meta.json` (schema, version, parameters as JSON) and, for
scikit-learn estimators, `estimator.joblib`. The models directory is trusted like code (joblib
files are pickles), so it must be writable only by the operator.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

log = logging.getLogger(__name__)
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class FeatureSchema:
    """The name, version and ordered feature names of one model's input rows."""

    name: str
    version: int
    features: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "features": list(self.features)}

    def matches(self, doc: Mapping[str, Any]) -> bool:
        return doc == self.to_dict()

    def vectorize(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        """Rows of named features to a float matrix in schema order (missing features are 0)."""
        matrix = np.zeros((len(rows), len(self.features)), dtype=np.float64)
        for i, row in enumerate(rows):
            for j, name in enumerate(self.features):
                matrix[i, j] = float(row.get(name, 0.0))
        return matrix


def save_model(directory: Path, schema: FeatureSchema, params: Mapping[str, Any],
               estimator: Any = None) -> Path:
    """Write one model atomically (temp file then rename) under `directory/<schema.name>/`."""
    target = Path(directory) / schema.name
    target.mkdir(parents=True, exist_ok=True)
    if estimator is not None:
        import joblib

        tmp = target / "estimator.joblib.tmp"
        joblib.dump(estimator, tmp)
        os.replace(tmp, target / "estimator.joblib")
    meta = {"format": FORMAT_VERSION, "schema": schema.to_dict(), "params": params,
            "has_estimator": estimator is not None}
    tmp = target / "meta.json.tmp"
    tmp.write_bytes(orjson.dumps(meta, option=orjson.OPT_SERIALIZE_NUMPY))
    os.replace(tmp, target / "meta.json")
    return target


def load_model(directory: Path | None, schema: FeatureSchema) -> tuple[dict[str, Any], Any] | None:
    """(params, estimator or None) of a saved model, or None when absent, corrupt or of another schema."""
    if directory is None:
        return None
    target = Path(directory) / schema.name
    try:
        meta = orjson.loads((target / "meta.json").read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, orjson.JSONDecodeError) as exc:
        log.warning("model %s unreadable, ignored: %s", schema.name, exc)
        return None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION \
            or not schema.matches(meta.get("schema", {})):
        log.warning("model %s was saved with another schema or format; refit it", schema.name)
        return None
    estimator = None
    if meta.get("has_estimator"):
        import joblib

        try:
            estimator = joblib.load(target / "estimator.joblib")
        except Exception as exc:  # noqa: BLE001 - a truncated or foreign file must not stop detection
            log.warning("model %s estimator unreadable, ignored: %s", schema.name, exc)
            return None
    params = meta.get("params")
    return (params if isinstance(params, dict) else {}), estimator



def load_bar(directory: Path | None, schema: FeatureSchema, floor: float) -> float | None:
    """A saved single-threshold model's bar, never below `floor`; None when no model was saved."""
    loaded = load_model(directory, schema)
    if loaded is None:
        return None
    try:
        return max(floor, float(loaded[0].get("bar", floor)))
    except (TypeError, ValueError):  # a hand-edited file: fall back to the floor, not a crash
        return floor
