"""Address plan: residential, mobile-carrier (CGNAT) and datacenter networks that geolocate truly.

Networks are /24s found by seeded sampling of the bundled geo/AS database and classified by the
organisation name, so a "Brazilian mobile user" really comes from a Brazilian carrier network.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass, field
from functools import lru_cache

from core.geo import lookup

# Biggest direct-selling markets (WFDSA figures, roughly), weighted by share of members.
MARKETS = {
    "US": 30,
    "BR": 8,
    "MX": 7,
    "KR": 6,
    "DE": 5,
    "JP": 5,
    "MY": 5,
    "PH": 5,
    "CO": 3,
    "IN": 4,
    "GB": 3,
    "TW": 3,
    "TH": 3,
    "ID": 3,
    "FR": 2,
    "CA": 2,
    "PE": 2,
    "NG": 2,
    "ZA": 1,
    "AU": 1,
}
MOBILE = (
    "MOBILE",
    "WIRELESS",
    "CELLULAR",
    "TELKOMSEL",
    "VERIZON",
    "CLARO",
    "GLOBE",
    "MTN",
    "AIRTEL",
    "JIO",
    "VIVO",
    "TELCEL",
    "SMART",
    "AIS",
    "TRUE",
    "DTAC",
    "XL AXIATA",
    "VODAFONE",
    "SK TELECOM",
)
DATACENTER = (
    "AMAZON",
    "DIGITALOCEAN",
    "OVH",
    "HETZNER",
    "LINODE",
    "AKAMAI",
    "M247",
    "CHOOPA",
    "VULTR",
    "MICROSOFT",
    "LEASEWEB",
    "CONTABO",
    "DATACAMP",
    "CDN77",
    "ORACLE",
    "ALIBABA",
    "TENCENT",
)


@dataclass
class Net:
    """/24 networks (as ints) per country and kind, plus datacenter networks anywhere."""

    home: dict[str, list[int]] = field(default_factory=dict)
    mobile: dict[str, list[int]] = field(default_factory=dict)
    datacenter: list[int] = field(default_factory=list)

    @property
    def countries(self) -> list[str]:
        return sorted(self.home)

    def home_ip(self, rng: random.Random, country: str) -> str:
        return host(rng, rng.choice(self.home[country]))

    def mobile_ip(self, rng: random.Random, country: str) -> str:
        """A carrier-grade NAT address: few per carrier, shared by many subscribers at once."""
        nets = self.mobile.get(country) or self.home[country]
        network = rng.choice(nets)
        return str(ipaddress.IPv4Address(network + rng.randint(1, 6)))

    def dc_ip(self, rng: random.Random) -> str:
        return host(rng, rng.choice(self.datacenter))

    def far_dc_ip(self, rng: random.Random, country: str) -> str:
        """A datacenter exit on another continent than `country` (a VPN hop no trip could explain)."""
        far = [n for n in self.datacenter if far_apart(country, _country(n) or country)]
        return host(rng, rng.choice(far or self.datacenter))

    def country_of_choice(self, rng: random.Random) -> str:
        names = self.countries
        return rng.choices(names, weights=[MARKETS.get(c, 1) for c in names])[0]


# Rough longitude of the markets and of the countries datacenters geolocate to: tells continents apart.
LONGITUDE = {
    "US": -98,
    "CA": -100,
    "MX": -102,
    "BR": -50,
    "CO": -74,
    "PE": -76,
    "CL": -71,
    "PR": -66,
    "GB": -2,
    "IE": -8,
    "FR": 2,
    "DE": 10,
    "NL": 5,
    "BE": 4,
    "ES": -4,
    "IT": 12,
    "CH": 8,
    "SE": 15,
    "NO": 10,
    "FI": 26,
    "PL": 19,
    "CZ": 15,
    "LT": 24,
    "RO": 25,
    "RS": 21,
    "TR": 35,
    "NG": 8,
    "ZA": 25,
    "AE": 54,
    "BH": 50,
    "QA": 51,
    "SA": 45,
    "IN": 78,
    "TH": 101,
    "MY": 102,
    "SG": 104,
    "ID": 113,
    "PH": 122,
    "CN": 105,
    "HK": 114,
    "TW": 121,
    "KR": 128,
    "JP": 138,
    "AU": 134,
}


def far_apart(a: str, b: str) -> bool:
    """Different continents (or the far side of one): no honest trip between them takes an hour."""
    return a != b and abs(LONGITUDE.get(a, 0) - LONGITUDE.get(b, 0)) > 60


def _country(network: int) -> str | None:
    return lookup(str(ipaddress.IPv4Address(network + 1))).country


def host(rng: random.Random, network: int) -> str:
    return str(ipaddress.IPv4Address(network + rng.randint(1, 254)))


def _classify(org: str) -> str:
    upper = org.upper()
    if any(marker in upper for marker in DATACENTER):
        return "datacenter"
    if any(marker in upper for marker in MOBILE):
        return "mobile"
    return "home"


@lru_cache(maxsize=4)  # sampling costs seconds; worlds of one seed share the (read-only) plan
def build_net(
    seed: int, per_country: int = 40, mobile_per_country: int = 4, datacenter: int = 80, budget: int = 300_000
) -> Net:
    """Sample the address space until every market has its networks (or the budget runs out)."""
    rng = random.Random(f"alt-net-{seed}")
    net = Net({c: [] for c in MARKETS}, {c: [] for c in MARKETS}, [])
    for sampled in range(budget):
        network = rng.randrange(1 << 24, 224 << 24) & ~0xFF
        info = lookup(str(ipaddress.IPv4Address(network + 1)))
        if info.is_private or info.country is None:
            continue
        kind = _classify(info.as_organization or "")
        if kind == "datacenter":
            if len(net.datacenter) < datacenter:
                net.datacenter.append(network)
        elif info.country in MARKETS:
            pool = net.home if kind == "home" else net.mobile
            limit = per_country if kind == "home" else mobile_per_country
            if len(pool[info.country]) < limit:
                pool[info.country].append(network)
                # Some markets' carriers are not named as such: stop waiting for them after a while.
                if _full(net, per_country, mobile_per_country if sampled < 60_000 else 0, datacenter):
                    break
    net.home = {c: nets for c, nets in net.home.items() if len(nets) >= 6}
    net.mobile = {c: nets for c, nets in net.mobile.items() if c in net.home and nets}
    return net


def _full(net: Net, per_country: int, mobile: int, datacenter: int) -> bool:
    return (
        len(net.datacenter) >= datacenter
        and all(len(v) >= per_country for v in net.home.values())
        and all(len(v) >= mobile for v in net.mobile.values())
    )
