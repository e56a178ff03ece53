"""Members of the alternative world: archetypes, households, offices, VPN users and a sponsor tree."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field

from simulator.alt.net import Net, host

AGENTS = (
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_{a} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/18.{a} Mobile/15E148 Safari/604.1"
    ),
    (
        "Mozilla/5.0 (Linux; Android 15; Pixel {a}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/13{a}.0.0.0 "
        "Mobile Safari/537.36"
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-A55{a}B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/26.0 Chrome/12{a}.0.0.0 Mobile Safari/537.36"
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/13{a}.0.0.0 "
        "Safari/537.36 Edg/13{a}.0.0.0"
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.{a} "
        "Safari/605.1.15"
    ),
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:13{a}.0) Gecko/20100101 Firefox/13{a}.0",
)
DOMAINS = (
    "gmail.com",
    "gmail.com",
    "gmail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "icloud.com",
    "naver.com",
    "uol.com.br",
    "yahoo.co.jp",
    "web.de",
    "live.com",
)
GIVEN = (
    "maria",
    "jose",
    "ana",
    "luis",
    "jennifer",
    "michael",
    "linda",
    "minji",
    "yuki",
    "siti",
    "rizal",
    "priya",
    "chinedu",
    "sofia",
    "lucas",
    "emma",
    "noah",
    "olivia",
    "kenji",
    "aroha",
    "thabo",
    "camila",
)
FAMILY = (
    "santos",
    "garcia",
    "johnson",
    "kim",
    "tanaka",
    "reyes",
    "sharma",
    "okeke",
    "muller",
    "dubois",
    "nguyen",
    "lopez",
    "brown",
    "park",
    "wilson",
    "silva",
    "rahman",
    "cruz",
)
# UTC offsets, hours; members keep local habits.
OFFSET = {
    "US": -6,
    "BR": -3,
    "MX": -6,
    "KR": 9,
    "DE": 1,
    "JP": 9,
    "MY": 8,
    "PH": 8,
    "CO": -5,
    "IN": 5.5,
    "GB": 0,
    "TW": 8,
    "TH": 7,
    "ID": 7,
    "FR": 1,
    "CA": -5,
    "PE": -5,
    "NG": 1,
    "ZA": 2,
    "AU": 10,
}
# Share of members, visit chance per day, order chance per visit.
ARCHETYPES = {
    "customer": (0.55, 0.15, 0.35),
    "hobbyist": (0.3, 0.35, 0.15),
    "builder": (0.13, 0.8, 0.2),
    "leader": (0.02, 0.95, 0.25),
}


def keyed(kind: str, value: str) -> str:
    """A stand-in for the app's keyed fingerprint of a bank account, card or email."""
    return hashlib.blake2b(f"{kind}:{value}".encode(), key=b"alt-world", digest_size=16).hexdigest()


@dataclass
class Device:
    id: str
    agent: str


@dataclass
class Member:
    """One distributor with the habits benign days are drawn from."""

    id: str
    username: str
    country: str
    home_ip: str
    devices: list[Device]
    archetype: str
    sponsor: str | None
    bank: str
    card: str
    email_domain: str
    hour: float  # local hour visits centre on
    mfa: bool
    password_manager: bool
    office_ip: str | None = None
    vpn_ip: str | None = None  # a corporate VPN exit shared with colleagues
    consumer_vpn: bool = False  # a privacy VPN app: a random datacenter exit, any country, per visit
    spouse: str | None = None
    downline: list[str] = field(default_factory=list)
    bank_changes: list[tuple[float, str]] = field(default_factory=list)  # generated out of time order

    @property
    def visit_chance(self) -> float:
        return ARCHETYPES[self.archetype][1]

    def bank_at(self, ts: float) -> str:
        """The payout account in force at `ts` (scenarios are generated out of time order)."""
        current = self.bank
        for when, fingerprint in sorted(self.bank_changes):
            if when <= ts:
                current = fingerprint
        return current

    def change_bank(self, ts: float, fingerprint: str) -> str:
        """Record a change of payout account at `ts`; returns the one it replaced."""
        previous = self.bank_at(ts)
        self.bank_changes.append((ts, fingerprint))
        return previous


def new_device(rng: random.Random) -> Device:
    return Device(f"{rng.getrandbits(96):024x}", rng.choice(AGENTS).format(a=rng.randint(1, 6)))


def new_member(
    rng: random.Random,
    net: Net,
    number: int,
    sponsor: Member | None,
    country: str | None = None,
    archetype: str | None = None,
) -> Member:
    """A member, usually recruited in the sponsor's own country."""
    if country is None:
        country = sponsor.country if sponsor and rng.random() < 0.85 else net.country_of_choice(rng)
    kinds = list(ARCHETYPES)
    archetype = archetype or rng.choices(kinds, weights=[ARCHETYPES[k][0] for k in kinds])[0]
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    user_id = str(100_000 + number * 7)
    style = rng.random()
    username = (
        f"{given}.{family}"
        if style < 0.4
        else f"{given}{family[0]}{rng.randint(1, 99)}"
        if style < 0.8
        else f"{given}_{rng.randint(1960, 2005)}"
    )
    return Member(
        id=user_id,
        username=f"{username}{number % 97}",
        country=country,
        home_ip=net.home_ip(rng, country),
        devices=[new_device(rng) for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))],
        archetype=archetype,
        sponsor=sponsor.id if sponsor else None,
        bank=keyed("bank", f"{user_id}/{rng.random()}"),
        card=keyed("card", f"{user_id}/{rng.random()}"),
        email_domain=rng.choice(DOMAINS),
        hour=rng.gauss(20, 2.5) % 24,
        mfa=rng.random() < 0.3,
        password_manager=rng.random() < 0.35,
    )


def grow(rng: random.Random, net: Net, size: int) -> list[Member]:
    """A sponsor tree where builders and leaders do most recruiting (a few strong legs)."""
    members: list[Member] = []
    recruiters: list[Member] = []
    for number in range(1, size + 1):
        sponsor = (
            rng.choice(recruiters)
            if recruiters and rng.random() < 0.8
            else (rng.choice(members) if members else None)
        )
        member = new_member(rng, net, number, sponsor, archetype="leader" if number <= 3 else None)
        if sponsor:
            sponsor.downline.append(member.id)
        members.append(member)
        if member.archetype in ("builder", "leader"):
            recruiters.extend([member] * (4 if member.archetype == "leader" else 1))
    _households(rng, members)
    _workplaces(rng, net, members)
    return members


def _households(rng: random.Random, members: list[Member]) -> None:
    """Couples: one home address, one bank account, sometimes one tablet (about 6% of members)."""
    singles = [m for m in members if m.spouse is None]
    by_id = {m.id: m for m in members}
    for a, b in zip(singles[10::33], singles[21::33]):
        b.country, b.home_ip, b.bank, b.spouse, a.spouse = a.country, a.home_ip, a.bank, a.id, b.id
        if rng.random() < 0.5:
            b.devices.append(a.devices[0])
        if rng.random() < 0.5:  # one household card; often the partner joined under the other
            b.card = a.card
            if rng.random() < 0.6 and b.id not in _chain(by_id, a):
                _move(by_id, b, a)


def _chain(by_id: dict[str, Member], member: Member) -> list[str]:
    """The member and every sponsor above them."""
    found = [member.id]
    while by_id[found[-1]].sponsor:
        found.append(by_id[found[-1]].sponsor or "")
    return found


def _move(by_id: dict[str, Member], member: Member, sponsor: Member) -> None:
    if member.sponsor:
        by_id[member.sponsor].downline.remove(member.id)
    member.sponsor = sponsor.id
    sponsor.downline.append(member.id)


def _workplaces(rng: random.Random, net: Net, members: list[Member]) -> None:
    """Two offices behind one NAT address each, and one company VPN exit shared by many."""
    for country in ("US", "PH"):
        local = [m for m in members if m.country == country and not m.office_ip]
        if not local or country not in net.home:
            continue
        office = host(rng, rng.choice(net.home[country]))
        for member in rng.sample(local, min(len(local), max(8, len(members) // 80))):
            member.office_ip = office
    exit_ip = net.dc_ip(rng)
    for member in rng.sample(members, min(len(members), max(10, len(members) // 40))):
        member.vpn_ip = exit_ip
    for member in rng.sample(members, min(len(members), max(5, len(members) // 33))):
        member.consumer_vpn = not member.vpn_ip
