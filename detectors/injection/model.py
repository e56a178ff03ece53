"""A char n-gram logistic regression over decoded values: the second opinion for obfuscated payloads.

Trained deterministically (fixed seeds) on the generated corpus; features are hashed character
2..4-grams (a polynomial hash, stable across processes). Scoring is a sum of weight columns in numpy, about
20-40 µs for a short value, because sklearn's per-call overhead would dominate the event budget.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np

from detectors.injection import decode

log = logging.getLogger(__name__)

FEATURE_BITS = 16
N_FEATURES = 1 << FEATURE_BITS
NGRAMS = (2, 3, 4)
MAX_CHARS = 512  # the head of a value carries the payload shape; bounds the cost of a long body
THRESHOLD = 0.97  # the model only speaks alone when it is very sure: patterns carry the recall
MIN_SPECIALS = 2  # a payload needs syntax; a value with fewer special characters is not scored
SCHEMA = "injection-char-ngram-lr-v2"
FILE_NAME = "injection_model.npz"
# Prose is full of quotes, parentheses and percent signs; code syntax is what makes a payload.
_SPECIALS = re.compile(r"[<>;|&`$={}\[\]\\*]|--|/\*")
_cached: InjectionModel | None = None


def ngram_ids(text: str) -> np.ndarray:
    """Hashed character n-gram ids of a lower-cased value (the one feature function).

    A polynomial hash over the bytes, vectorized in numpy: stable across processes (unlike
    `hash`), and a few microseconds for a short value.
    """
    data = np.frombuffer(text[:MAX_CHARS].lower().encode("utf-8", "surrogatepass"), dtype=np.uint8)
    codes = data.astype(np.uint64)
    parts = []
    for n in NGRAMS:
        if len(codes) < n:
            break
        h = np.full(len(codes) - n + 1, n, dtype=np.uint64)
        for k in range(n):
            h = h * np.uint64(1_000_003) + codes[k:len(codes) - n + 1 + k]
        parts.append((h * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - FEATURE_BITS))
    if not parts:
        return np.empty(0, dtype=np.int64)
    return np.concatenate(parts).astype(np.int64)


def prepare(text: str) -> str:
    """The normalized text the model sees: the analyzer's decoding, blanks squeezed, SQL comments folded."""
    return decode.sql_fold(decode.squeeze(text))


class InjectionModel:
    """Multinomial logistic regression weights with their class names and feature schema."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray, classes: list[str]) -> None:
        self.weights = weights.astype(np.float32)  # (n_features, n_classes): a row per n-gram
        self.bias = bias.astype(np.float32)
        self.classes = classes
        self._benign = classes.index("benign")

    def probabilities(self, text: str) -> np.ndarray:
        ids = ngram_ids(text)
        if not len(ids):
            return np.eye(len(self.classes))[self._benign]
        scores = self.weights[ids].sum(axis=0) + self.bias
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()

    def predict(self, text: str) -> str | None:
        """The attack class when the model is confident, else None; values without code syntax are skipped."""
        if len(_SPECIALS.findall(text, 0, MAX_CHARS)) < MIN_SPECIALS:
            return None
        return self.classify(text)

    def classify(self, text: str) -> str | None:
        """The attack class at the confidence threshold, for any text (no syntax gate)."""
        probs = self.probabilities(text)
        best = int(probs.argmax())
        if best == self._benign or probs[best] < THRESHOLD:
            return None
        return self.classes[best]

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(directory / FILE_NAME, weights=self.weights, bias=self.bias,
                            classes=np.array(self.classes), schema=np.array(SCHEMA),
                            n_features=np.array(N_FEATURES))

    @classmethod
    def load(cls, directory: Path) -> InjectionModel | None:
        path = directory / FILE_NAME
        if not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as data:
            if str(data["schema"]) != SCHEMA or int(data["n_features"]) != N_FEATURES:
                log.warning("injection model at %s has another feature schema; retraining", path)
                return None
            return cls(data["weights"], data["bias"], [str(c) for c in data["classes"]])


def train(per_class: int = 900, benign: int = 5000, seed: int = 7) -> InjectionModel:
    """Fit the model on the generated corpus (deterministic for a seed)."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    from detectors.injection.corpus import training_texts

    texts, labels = training_texts(per_class, benign, seed)
    id_lists = [ngram_ids(prepare(text)) for text in texts]
    rows = np.repeat(np.arange(len(texts)), [len(ids) for ids in id_lists])
    cols = np.concatenate(id_lists)
    matrix = csr_matrix((np.ones(len(cols), dtype=np.float32), (rows, cols)),
                        shape=(len(texts), N_FEATURES))
    matrix.sum_duplicates()
    classes = sorted(set(labels))
    y = np.array([classes.index(label) for label in labels])
    clf = LogisticRegression(C=2.0, max_iter=300, random_state=seed)
    clf.fit(matrix, y)
    return InjectionModel(clf.coef_.T.copy(), clf.intercept_.copy(), classes)


def load_or_train(models_dir: Path | None) -> InjectionModel:
    """The saved model from `models_dir`, else the cached or a newly trained one (saved to both)."""
    global _cached
    if models_dir is not None:
        loaded = InjectionModel.load(models_dir)
        if loaded is not None:
            return loaded
    if _cached is None:
        cache = _cache_dir()
        _cached = InjectionModel.load(cache) if cache else None
        if _cached is None:
            _cached = train()
            if cache:
                _save_quietly(_cached, cache)
    if models_dir is not None:
        _cached.save(models_dir)
    return _cached


def _cache_dir() -> Path | None:
    """A per-user cache keyed by the training code and library versions: training is deterministic,
    so the same code always yields the same model, and starting a process need not retrain (4-8 s)."""
    import hashlib
    import os
    from importlib.metadata import version

    digest = hashlib.sha256(version("scikit-learn").encode() + np.__version__.encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "mlm-siem" / f"injection-{digest.hexdigest()[:16]}"


def _save_quietly(model: InjectionModel, directory: Path) -> None:
    try:
        model.save(directory)
    except OSError as exc:  # a read-only home only costs the next start a retrain
        log.info("could not cache the injection model in %s: %s", directory, exc)
