"""Where a client is: country and network operator of an event, from enrichment or the bundled DB."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from core import geo
from core.event import Event

# Hosting, cloud and commercial VPN operators: a login from them says little about where the
# person is, so travel logic must not trust their country (substring match, lower case).
HOSTING_MARKERS = (
    "amazon", "aws", "google", "microsoft", "azure", "digitalocean", "ovh", "hetzner", "linode",
    "akamai", "cloudflare", "m247", "datacamp", "nordvpn", "expressvpn", "proton", "mullvad",
    "vultr", "choopa", "leaseweb", "contabo", "oracle", "alibaba", "tencent", "hostinger",
    "scaleway", "ionos", "packet", "zscaler", "private internet", "surfshark", "cyberghost",
    "hosting", "vpn", "datacenter", "data center", "server", "cloud",
)


# Home broadband that a marker above would misread (Google Fiber is an ISP, not Google's cloud).
RESIDENTIAL = ("google-fiber", "google fiber")


@dataclass(frozen=True, slots=True)
class Place:
    country: str | None
    asn: str | None  # AS number as text when enriched, else the operator's name
    hosting: bool


_last: list[tuple[Event, Place]] = []  # the event every ato detector asks about in turn


def place_of(event: Event) -> Place:
    """Country and operator of the event's client, preferring collector enrichment."""
    # Four detectors ask for the same event one after another: answer from the last one. Holding
    # the event keeps its identity from being reused.
    last = _last[-1] if _last else None  # one read: another thread may replace it meanwhile
    if last is not None and last[0] is event:
        return last[1]
    place = _place_of(event)
    _last[:] = [(event, place)]
    return place


@lru_cache(maxsize=4096)  # a few thousand operators; the marker scan is 36 substring tests
def is_hosting(org: str) -> bool:
    lowered = org.lower()
    if any(name in lowered for name in RESIDENTIAL):
        return False
    return any(marker in lowered for marker in HOSTING_MARKERS)


_places: dict[tuple[object, ...], Place] = {}  # (address, enrichment) -> Place: addresses recur all day
PLACES_CAP = 16_384


def _place_of(event: Event) -> Place:
    flat = event.flat
    key = (flat.get("source.ip"), flat.get("source.geo.country_iso_code"), flat.get("source.as.organization.name"),
           flat.get("source.as.number"))
    try:
        place = _places.get(key)
    except TypeError:  # a list or object where a string belongs (hostile input): judged, not cached
        return _judge_place(*key)
    if place is None:
        if len(_places) >= PLACES_CAP:
            _places.clear()
        place = _places[key] = _judge_place(*key)
    return place


def _judge_place(ip: Any, country: Any, org: Any, number: Any) -> Place:
    """Country, operator and whether it is a hosting or VPN operator, from enrichment or the bundled DB."""
    if ip and (not country or not (org or number)):
        info = geo.lookup(ip)
        country = country or info.country
        org = org or info.as_organization
    country = country.upper() if isinstance(country, str) and len(country) == 2 else None
    asn = str(number) if number is not None else (str(org)[:128] if org else None)
    hosting = bool(org) and is_hosting(str(org)[:256])
    return Place(country, asn, hosting)
