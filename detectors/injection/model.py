"""A char n-gram logistic regression over decoded values: the second opinion for obfuscated payloads.

Trained deterministically (fixed seeds) on the generated corpus; features are hashed character
2..4-grams (crc32, stable across processes). Scoring is a sum of weight columns in numpy, about
20-40 µs for a short value, because sklearn's per-call overhead would dominate the event budget.
"""

from __future__ import annotations

import logging
import zlib
from pathlib import Path

import numpy as np

from detectors.injection import decode

log = logging.getLogger(__name__)

N_FEATURES = 1 << 16
NGRAMS = (2, 3, 4)
MAX_CHARS = 512  # the head of a value carries the payload shape; bounds the cost of a long body
THRESHOLD = 0.97  # the model only speaks alone when it is very sure: patterns carry the recall
MIN_SPECIALS = 2  # a payload needs syntax; a value with fewer special characters is not scored
SCHEMA = "injection-char-ngram-lr-v1"
FILE_NAME = "injection_model.npz"
_SPECIALS = frozenset("'\"<>();|&`$={}[]\\/*#-%:,")
_cached: "InjectionModel | None" = None


def ngram_ids(text: str) -> list[int]:
    """Hashed character n-gram ids of a lower-cased value (the one feature function)."""
    data = text[:MAX_CHARS].lower().encode("utf-8", "surrogatepass")
    ids = []
    for n in NGRAMS:
        for i in range(len(data) - n + 1):
            ids.append(zlib.crc32(data[i:i + n]) & (N_FEATURES - 1))
    return ids


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
        if not ids:
            return np.eye(len(self.classes))[self._benign]
        scores = self.weights[ids].sum(axis=0) + self.bias
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()

    def predict(self, text: str) -> str | None:
        """The attack class when the model is confident, else None."""
        if sum(1 for c in text[:MAX_CHARS] if c in _SPECIALS) < MIN_SPECIALS:
            return None
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
    def load(cls, directory: Path) -> "InjectionModel | None":
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
    rows, cols = [], []
    for row, text in enumerate(texts):
        ids = ngram_ids(prepare(text))
        rows.extend([row] * len(ids))
        cols.extend(ids)
    matrix = csr_matrix((np.ones(len(cols), dtype=np.float32), (rows, cols)),
                        shape=(len(texts), N_FEATURES))
    matrix.sum_duplicates()
    classes = sorted(set(labels))
    y = np.array([classes.index(label) for label in labels])
    clf = LogisticRegression(C=2.0, max_iter=300, random_state=seed)
    clf.fit(matrix, y)
    return InjectionModel(clf.coef_.T.copy(), clf.intercept_.copy(), classes)


def load_or_train(models_dir: Path | None) -> InjectionModel:
    """The saved model from `models_dir`, else one trained now (once per process) and saved there."""
    global _cached
    if models_dir is not None:
        loaded = InjectionModel.load(models_dir)
        if loaded is not None:
            return loaded
    if _cached is None:
        _cached = train()
    if models_dir is not None:
        _cached.save(models_dir)
    return _cached
