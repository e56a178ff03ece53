"""Country and AS lookups from the database bundled in geoip2fast (no download at run time).

Shared by collector enrichment and by detectors that must geolocate replayed events that were
never enriched. The AS database carries organisation names, not numbers.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class GeoInfo:
    country: str | None  # ISO 3166-1 alpha-2, None when unknown or private
    as_organization: str | None
    is_private: bool


_lock = threading.Lock()
_db = None


def _database():  # type: ignore[no-untyped-def]
    global _db
    with _lock:
        if _db is None:
            from geoip2fast import GeoIP2Fast

            _db = GeoIP2Fast(geoip2fast_data_file="geoip2fast-asn.dat.gz")
        return _db


@lru_cache(maxsize=65_536)
def lookup(ip: str) -> GeoInfo:
    """Geolocate one address; unknown, private and malformed addresses give empty info."""
    try:
        result = _database().lookup(ip)
    except Exception:  # the library raises on malformed input: treat as unknown
        return GeoInfo(None, None, False)
    code = result.country_code
    country = code if isinstance(code, str) and len(code) == 2 and code.isalpha() else None
    org = result.asn_name or None
    return GeoInfo(country, org, bool(result.is_private))
