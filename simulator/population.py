"""The benign population: distributors with homes, devices, habits, sponsors and bank accounts."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from simulator.events import fingerprint
from simulator.ipplan import IpPlan

BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_{m}) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{m} Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{m} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; SM-S91{m}B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
)
EMAIL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "proton.me", "gmx.de")
FIRST = ("amy", "bob", "carla", "dev", "eun", "femi", "gus", "hana", "ivan", "jo", "kat", "liam", "mia", "nia",
         "omar", "pia", "quin", "raj", "sam", "tao", "uma", "vic", "wen", "xia", "yusuf", "zoe")
LAST = ("smith", "obrien", "garcia", "nguyen", "kim", "okafor", "muller", "rossi", "silva", "tanaka", "singh")
PLANS = ("binary", "unilevel", "matrix", "board")
# UTC offsets (hours) of each simulated country, good enough for daily habits.
UTC_OFFSET = {"US": -6, "GB": 0, "DE": 1, "FR": 1, "NL": 1, "ES": 1, "IT": 1, "BR": -3, "MX": -6, "CA": -5,
              "IN": 5, "JP": 9, "KR": 9, "AU": 10, "PH": 8, "NG": 1, "ZA": 2, "PL": 1, "SE": 1, "ID": 7,
              "VN": 7, "TH": 7, "MY": 8, "AR": -3, "CO": -5, "TR": 3}


@dataclass
class Device:
    id: str
    user_agent: str


@dataclass
class Person:
    """One distributor and the habits the simulation draws their benign days from."""

    user_id: str
    username: str
    country: str
    home_network: int
    devices: list[Device]
    sponsor_id: str | None
    plan: str
    email_domain: str
    bank: str
    payment: str
    active_hour: float  # local hour their sessions centre on
    activity: float  # chance of a session on a given day
    mfa: bool
    traveller: bool = False
    vpn: bool = False
    office_ip: str | None = None
    downline: list[str] = field(default_factory=list)


def make_device(rng: random.Random, seed_tag: str) -> Device:
    agent = rng.choice(BROWSERS).format(v=rng.randint(118, 131), m=rng.randint(1, 6))
    return Device(f"dev-{seed_tag}-{rng.getrandbits(40):010x}", agent)


def make_person(rng: random.Random, plan: IpPlan, index: int, sponsor: Person | None,
                country: str | None = None) -> Person:
    """A new distributor, usually in the sponsor's country (MLM recruiting is mostly local)."""
    if country is None:
        country = sponsor.country if sponsor and rng.random() < 0.8 else rng.choice(sorted(plan.by_country))
    user_id = f"D{index:06d}"
    name = f"{rng.choice(FIRST)}.{rng.choice(LAST)}{index}"
    return Person(
        user_id=user_id, username=name, country=country, home_network=plan.network(rng, country),
        devices=[make_device(rng, user_id) for _ in range(rng.choice((1, 1, 2, 2, 3)))],
        sponsor_id=sponsor.user_id if sponsor else None, plan=rng.choice(PLANS),
        email_domain=rng.choice(EMAIL_DOMAINS), bank=fingerprint("bank", f"{user_id}-acct"),
        payment=fingerprint("card", f"{user_id}-card"), active_hour=rng.uniform(7, 22),
        activity=rng.uniform(0.25, 0.9), mfa=rng.random() < 0.4,
        traveller=rng.random() < 0.04, vpn=rng.random() < 0.05,
    )


def grow_population(rng: random.Random, plan: IpPlan, size: int) -> list[Person]:
    """A sponsor tree: early members recruit more (preferential attachment), like real MLM lines."""
    people: list[Person] = []
    for index in range(1, size + 1):
        sponsor = None
        if people:
            pick = people[min(len(people) - 1, int(rng.paretovariate(1.2)) - 1)] if rng.random() < 0.3 \
                else rng.choice(people)
            sponsor = pick
        person = make_person(rng, plan, index, sponsor)
        if sponsor:
            sponsor.downline.append(person.user_id)
        people.append(person)
    # A shared office behind one NAT address: colleagues who all log in from it.
    office = plan.address(rng, "US")
    for person in rng.sample(people, min(15, len(people))):
        person.office_ip = office
    # Households: two distributors sharing one bank account is normal.
    for a, b in zip(people[3::97], people[5::97]):
        b.bank = a.bank
    return people
