"""Attacker-controlled text made safe for a log line: no CR/LF (forged lines), ANSI escapes or NUL."""

from __future__ import annotations

import re

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(value: object, limit: int = 200) -> str:
    """`value` cut to `limit` characters with every control character shown as a \\xNN / \\uNNNN escape."""
    text = str(value)[:limit]
    return _CONTROL_RE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
