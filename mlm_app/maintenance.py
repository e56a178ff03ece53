"""Maintenance commands (key rotation, encrypted backup and restore): registered by mlm_app.cli."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Placeholder until the commands land."""
