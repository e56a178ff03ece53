"""The trained injection model is cached per user, keyed by the training code, so starts are fast."""

import numpy as np

from detectors.injection import model


def test_second_start_loads_the_cached_model_instead_of_training(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(model, "_cached", None)
    first = model.load_or_train(None)
    cache = model._cache_dir()
    assert cache is not None and cache.parent == tmp_path / "mlm-siem" and any(cache.iterdir())

    def no_training(*args, **kwargs):
        raise AssertionError("trained again although a cached model exists")

    monkeypatch.setattr(model, "_cached", None)
    monkeypatch.setattr(model, "train", no_training)
    second = model.load_or_train(None)
    assert np.array_equal(first.weights, second.weights) and first.classes == second.classes


def test_models_dir_wins_over_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(model, "_cached", None)
    trained = model.load_or_train(tmp_path / "models")
    assert (tmp_path / "models" / model.FILE_NAME).is_file()
    monkeypatch.setattr(model, "_cached", None)
    monkeypatch.setattr(model, "train", lambda *a, **k: (_ for _ in ()).throw(AssertionError("retrained")))
    assert model.load_or_train(tmp_path / "models").classes == trained.classes
