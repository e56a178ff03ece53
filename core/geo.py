"""Country and AS lookups from the database bundled in geoip2fast (no download at run time).

Shared by collector enrichment and by detectors that must geolocate replayed events that were
never enriched. The AS database carries organisation names, not numbers.

The library's own `lookup` formats a CIDR string, an elapsed-time string and a detail object per
call (~5 us); ingest geolocates every event, so `lookup` searches the library's loaded tables
directly with the same bisections (~1 us, measured with benchmarks/bench_ingest.py). Its answers
are checked against the library's on many addresses (tests/core/test_geo.py); if a future
geoip2fast lays its tables out differently, the library's own lookup is used instead.
"""

from __future__ import annotations

import socket
import threading
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

_DATA_FILE = "geoip2fast-asn.dat.gz"
_PRIVATE_INDEXES = 16  # geoip2fast: country indexes below this are special/private networks


@dataclass(frozen=True, slots=True)
class GeoInfo:
    country: str | None  # ISO 3166-1 alpha-2, None when unknown or private
    as_organization: str | None
    is_private: bool


UNKNOWN = GeoInfo(None, None, False)


class _Tables(NamedTuple):
    """The library's in-memory database: per-network first addresses, prefix lengths, ids."""

    roots: list[int]
    first: list[list[int]]
    netlen: list[list[int]]
    country_id: list[list[int]]
    countries: list[tuple[str | None, bool]]  # by country index: (code or None, is_private)
    asn_index: list[int]
    asn_first: list[list[int]]
    asn_id: list[list[int]]
    asn_netlen: list[list[int]]
    asn_names: list[str]
    sizes: list[int]  # addresses in a network, by prefix length (for the address's family)
    sizes_v6: list[int]
    max_v4: int
    asn_sizes: list[int]  # the library sizes AS networks by the database's family, not the address's


_lock = threading.Lock()
# One shared answer per (country, AS): building a frozen dataclass costs more than the search.
# Bounded by the database (countries x AS organisations), not by the input.
_answers: dict[tuple[int, str], GeoInfo] = {}
_db: Any = None
_tables: _Tables | None = None


def _database() -> Any:
    """The geoip2fast database, loaded once (and its tables, when their layout is the known one)."""
    global _db, _tables
    with _lock:
        if _db is None:
            from geoip2fast import GeoIP2Fast  # type: ignore[import-untyped]

            _db = GeoIP2Fast(geoip2fast_data_file=_DATA_FILE)
            _tables = _read_tables(_db)
        return _db


def _read_tables(db: Any) -> _Tables | None:
    """The loaded tables from the library module, or None when they are not laid out as expected."""
    from geoip2fast import geoip2fast as lib  # type: ignore[import-untyped]

    try:
        countries = []
        for index, entry in enumerate(lib.mainListNamesCountry):
            code = entry.split(":", 1)[0]
            private = index < _PRIVATE_INDEXES
            countries.append((None if private or not _is_code(code) else code, private))
        v4, v6 = lib.numIPsv4, lib.numIPsv6
        return _Tables(lib.mainIndex, lib.mainListFirstIP, lib.mainListNetlength, lib.mainListIDCountryCodes,
                       countries, lib.mainIndexASN, lib.mainListFirstIPASN, lib.mainListIDASN,
                       lib.mainListNetlengthASN, lib.mainListNamesASN, v4, v6, lib.MAX_IPv4,
                       v6 if db.ipv6 else v4)
    except (AttributeError, TypeError, ValueError):
        return None


def _is_code(code: Any) -> bool:
    return isinstance(code, str) and len(code) == 2 and code.isalpha()


@lru_cache(maxsize=65_536)
def lookup(ip: str) -> GeoInfo:
    """Geolocate one address; unknown, private and malformed addresses give empty info."""
    db = _database()
    if _tables is None:
        return _library_lookup(db, ip)
    try:
        return _search(_tables, _address(ip))
    except Exception:  # noqa: BLE001 -- malformed address or corrupt table: unknown, as in the library
        return UNKNOWN


def _address(ip: str) -> int:
    """The address as an integer, parsed as geoip2fast parses it (inet_aton, then IPv6)."""
    try:
        return int.from_bytes(socket.inet_aton(ip), "big")
    except OSError:
        return int.from_bytes(socket.inet_pton(socket.AF_INET6, ip), "big")


def _search(t: _Tables, address: int) -> GeoInfo:
    """The network holding `address` (country) and its AS organisation, as geoip2fast finds them."""
    root = bisect_right(t.roots, address) - 1
    firsts = t.first[root]
    chunk = bisect_right(firsts, address) - 1
    sizes = t.sizes if address <= t.max_v4 else t.sizes_v6
    if address > firsts[chunk] + sizes[t.netlen[root][chunk]] - 1:
        return UNKNOWN  # in no known network: the library answers "not found" without an AS
    key = (t.country_id[root][chunk], _as_name(t, address))
    info = _answers.get(key)
    if info is None:
        country, private = t.countries[key[0]]
        info = _answers.setdefault(key, GeoInfo(country, key[1] or None, private))
    return info


def _as_name(t: _Tables, address: int) -> str:
    try:
        root = bisect_right(t.asn_index, address) - 1
        firsts = t.asn_first[root]
        chunk = bisect_right(firsts, address) - 1
        if address > firsts[chunk] + t.asn_sizes[t.asn_netlen[root][chunk]] - 1:
            return ""
        return t.asn_names[t.asn_id[root][chunk]]
    except Exception:  # noqa: BLE001 -- the library answers no AS on any fault here
        return ""


def _library_lookup(db: Any, ip: str) -> GeoInfo:
    """The library's own (slower) lookup, mapped to GeoInfo."""
    try:
        result = db.lookup(ip)
    except Exception:  # noqa: BLE001 -- the library raises on malformed input: treat as unknown
        return UNKNOWN
    code = result.country_code
    return GeoInfo(code if _is_code(code) else None, result.asn_name or None, bool(result.is_private))
