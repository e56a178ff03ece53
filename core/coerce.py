"""Type coercion of contract fields (core.schema.FIELDS): check values, fix harmless spellings."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from core.contract import EventError, format_timestamp, parse_timestamp
from core.schema import FIELDS

# A dotted quad in canonical form (no leading zeros, each octet 0-255): already what
# ipaddress would print, so it needs no parse.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4_RE = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")


def coerce(name: str, kind: str, value: Any) -> Any:
    """Check (and gently coerce) a known field's value against its contract type."""
    if value is None:
        return None
    if kind == "ip":
        canonical = canonical_ip(value) if isinstance(value, str) and len(value) <= 64 else None
        if canonical is None:
            raise EventError(name, f"not an IP address: {str(value)[:45]!r}")
        return canonical
    if kind in ("keyword", "text"):
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise EventError(name, "must be a string")
    if kind == "long":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 20:
            return int(value)
        raise EventError(name, "must be an integer")
    if kind == "number":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return float(value) if len(value) < 40 else _fail(name, "must be a number")
            except ValueError:
                pass
        raise EventError(name, "must be a number")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise EventError(name, "must be true or false")
    if kind == "date":
        return format_timestamp(parse_timestamp(value, name))
    if kind == "keyword[]":
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        raise EventError(name, "must be a list of strings")
    return value


KNOWN_CANONICAL_IPS: set[str] = set()  # addresses already known canonical: a set lookup beats the regex
_MAX_CANONICAL_IPS = 65_536


def canonical_ip(value: str) -> str | None:
    """Canonical text of an address: a canonical dotted quad is itself, anything else is parsed."""
    if value in KNOWN_CANONICAL_IPS:
        return value
    if _IPV4_RE.fullmatch(value) is None:
        return _parsed_ip(value)
    if len(KNOWN_CANONICAL_IPS) >= _MAX_CANONICAL_IPS:
        KNOWN_CANONICAL_IPS.clear()  # bounded under address churn; the busy addresses come back quickly
    KNOWN_CANONICAL_IPS.add(value)
    return value


def is_canonical_date(value: str) -> bool:
    """A date field coercion would leave unchanged (canonical RFC 3339 UTC with a Z)."""
    try:
        return format_timestamp(parse_timestamp(value)) == value
    except EventError:
        return False


@lru_cache(maxsize=65_536)
def _parsed_ip(value: str) -> str | None:
    """IPv6 and non-canonical spellings (addresses repeat a lot, so the parse is cached)."""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def is_canonical_stamp(value: str) -> bool:
    """Whether a date-time string has the canonical layout (`format_timestamp`'s) if it parses."""
    size = len(value)
    return (size == 24 or (size == 27 and value[23:26] != "000")) and value[-1] == "Z" \
        and value[19] == "." and value[10] == "T"


def event_time(value: Any) -> tuple[str, float]:
    """@timestamp as (canonical string, epoch seconds); canonical input skips re-formatting."""
    if type(value) is str and is_canonical_stamp(value):
        try:
            return value, datetime.fromisoformat(value).timestamp()
        except ValueError:
            pass
    moment = parse_timestamp(value)
    return format_timestamp(moment), moment.timestamp()


# Types that need no coercion when the value already has them; anything else goes to _coerce.
_PLAIN = {"keyword": str, "text": str, "long": int, "ip": None, "date": None, "keyword[]": list,
          "number": None, "bool": bool}


# Per contract field (except @timestamp, handled on its own) the type that needs no coercion.
_PLAIN_BY_NAME = {name: _PLAIN[kind] for name, kind in FIELDS.items() if name != "@timestamp"}
_UNKNOWN = object()


def _fail(name: str, reason: str) -> Any:
    raise EventError(name, reason)


def coerce_known(flat: dict[str, Any]) -> list[str]:
    """Coerce every contract field in place; returns the names whose value changed."""
    changed: list[str] = []
    for name, value in flat.items():
        plain = _PLAIN_BY_NAME.get(name, _UNKNOWN)
        if plain is _UNKNOWN:
            continue
        if type(value) is plain and (plain is not list or _all_strings(value)):
            continue
        coerced = coerce(name, FIELDS[name], value)
        # An equal string is no change (a canonical date or IPv6 address comes back as a new object):
        # counting it as one kept such events off the compiled-shape path for good.
        if coerced is not value and (type(coerced) is not str or coerced != value):
            flat[name] = coerced
            changed.append(name)
    return changed


def _all_strings(values: list[Any]) -> bool:
    for item in values:
        if type(item) is not str:
            return False
    return True
