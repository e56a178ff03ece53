"""Shared model utilities for the stateful and anomaly detectors: bounded state, alerts,
feature schemas, versioned model files and batch scoring."""
