"""Address plan of the simulated world: pools of public /24 networks per country and per kind.

Networks are found by seeded sampling against the bundled geo database, so every simulated
address geolocates to the country the simulation says it is in.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass, field

from core.geo import lookup

COUNTRIES = ("US", "GB", "DE", "FR", "NL", "ES", "IT", "BR", "MX", "CA", "IN", "JP", "KR",
             "AU", "PH", "NG", "ZA", "PL", "SE", "ID", "VN", "TH", "MY", "AR", "CO", "TR")
# Organisation names of hosting and VPN networks in the AS database: attackers and VPN users.
HOSTING_MARKERS = ("AMAZON", "DIGITALOCEAN", "OVH", "HETZNER", "LINODE", "M247", "CHOOPA", "VULTR",
                   "GOOGLE", "MICROSOFT", "LEASEWEB", "CONTABO")


@dataclass
class IpPlan:
    """/24 prefixes (as ints of the network address) per country, and hosting prefixes."""

    by_country: dict[str, list[int]] = field(default_factory=dict)
    hosting: list[int] = field(default_factory=list)

    def address(self, rng: random.Random, country: str) -> str:
        """A random host in one of the country's networks."""
        return _host(rng, rng.choice(self.by_country[country]))

    def network(self, rng: random.Random, country: str) -> int:
        return rng.choice(self.by_country[country])

    def hosting_address(self, rng: random.Random) -> str:
        return _host(rng, rng.choice(self.hosting))


def _host(rng: random.Random, network: int) -> str:
    return str(ipaddress.IPv4Address(network + rng.randint(2, 250)))


def host_in(rng: random.Random, network: int) -> str:
    return _host(rng, network)


def build_plan(seed: int, per_country: int = 24, hosting: int = 60, max_samples: int = 400_000) -> IpPlan:
    """Sample public /24s until every country has `per_country` networks (or the budget runs out)."""
    rng = random.Random(seed * 7919 + 1)
    plan = IpPlan({c: [] for c in COUNTRIES}, [])
    wanted = set(COUNTRIES)
    for _ in range(max_samples):
        if not wanted and len(plan.hosting) >= hosting:
            break
        network = rng.randrange(1 << 24, 224 << 24) & ~0xFF
        info = lookup(str(ipaddress.IPv4Address(network + 1)))
        if info.is_private or info.country is None:
            continue
        org = (info.as_organization or "").upper()
        if any(marker in org for marker in HOSTING_MARKERS) and "FIBER" not in org:  # Google Fiber is home broadband
            if len(plan.hosting) < hosting:
                plan.hosting.append(network)
            continue
        pool = plan.by_country.get(info.country)
        if pool is not None and len(pool) < per_country:
            pool.append(network)
            if len(pool) == per_country:
                wanted.discard(info.country)
    # Countries the sample never reached are dropped rather than faked.
    plan.by_country = {c: nets for c, nets in plan.by_country.items() if len(nets) >= 4}
    return plan
