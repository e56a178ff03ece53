"""Attack campaigns against the MLM business, each with random parameters and a ground-truth record."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from urllib.parse import quote, quote_plus

from simulator.benign import ASSETS, enroll, order
from simulator.events import Client, Emitter, fingerprint
from simulator.ipplan import IpPlan
from simulator.population import BROWSERS, Person, make_device, make_person

TOOLS_UA = ("python-requests/2.32.3", "curl/8.5.0", "Go-http-client/1.1", "sqlmap/1.8.2#stable (https://sqlmap.org)",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36")


@dataclass
class Truth:
    """What happened, for evaluation: the family's alert category, the kind, who, and when."""

    id: str
    family: str
    kind: str
    entities: list[str]
    start: float
    end: float
    notes: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def _attacker(rng: random.Random, plan: IpPlan, hosting: bool = True) -> Client:
    ip = plan.hosting_address(rng) if hosting else plan.address(rng, rng.choice(sorted(plan.by_country)))
    return Client(ip, rng.choice(TOOLS_UA))


# -- account takeover ---------------------------------------------------------------------------

def credential_stuffing(em: Emitter, rng: random.Random, plan: IpPlan, people: list[Person], t: float) -> Truth:
    """A combo list replayed through a residential-proxy pool: many IPs, few tries each."""
    ips = [plan.address(rng, rng.choice(sorted(plan.by_country))) for _ in range(rng.randint(80, 400))]
    ts, end = t, t + rng.uniform(900, 3600)
    attempts = rng.randint(400, 1500)
    for _ in range(attempts):
        client = Client(rng.choice(ips), rng.choice(BROWSERS).format(v=124, m=2))
        if rng.random() < 0.6:
            em.login(ts, client, f"{rng.choice(('j', 'm', 'k'))}{rng.getrandbits(24):x}@mail.com", None, False,
                     "unknown_user")
        else:
            victim = rng.choice(people)
            em.login(ts, client, victim.username, victim.user_id, False, "bad_password")
        ts += (end - t) / attempts * rng.uniform(0.2, 1.8)
    return Truth("", "account_takeover", "credential_stuffing", ["service", *dict.fromkeys(ips)], t, ts)


def password_spraying(em: Emitter, rng: random.Random, plan: IpPlan, people: list[Person], t: float) -> Truth:
    """Two or three common passwords against hundreds of accounts, slowly, from one small network."""
    network = plan.network(rng, rng.choice(sorted(plan.by_country)))
    ips = [f"{network >> 24}.{(network >> 16) & 255}.{(network >> 8) & 255}.{rng.randint(2, 250)}"
           for _ in range(rng.randint(1, 6))]
    victims = rng.sample(people, min(len(people), rng.randint(80, 300)))
    tries = rng.randint(1, 2)
    ts = t
    gap = rng.uniform(20, 90)
    for _ in range(tries):
        for victim in victims:
            client = Client(rng.choice(ips), rng.choice(TOOLS_UA))
            em.login(ts, client, victim.username, victim.user_id, False, "bad_password")
            ts += gap * rng.uniform(0.5, 1.5)
    return Truth("", "account_takeover", "password_spraying", ips, t, ts)


def brute_force(em: Emitter, rng: random.Random, plan: IpPlan, people: list[Person], t: float) -> Truth:
    victim = rng.choice(people)
    clients = [_attacker(rng, plan, rng.random() < 0.5) for _ in range(rng.randint(1, 4))]
    ts = t
    for _ in range(rng.randint(25, 150)):
        em.login(ts, rng.choice(clients), victim.username, victim.user_id, False, "bad_password")
        ts += rng.uniform(0.5, 8)
    return Truth("", "account_takeover", "brute_force", [victim.user_id, victim.username,
                 *[c.ip for c in clients]], t, ts)


def mfa_brute_force(em: Emitter, rng: random.Random, plan: IpPlan, people: list[Person], t: float) -> Truth:
    """The password is known (phished); the attacker guesses TOTP codes."""
    victim = rng.choice([p for p in people if p.mfa] or people)
    client = _attacker(rng, plan)
    client.session_id = fingerprint("session", f"mfa-{t}")
    em.login(t, client, victim.username, victim.user_id, True, mfa=True)
    client.user_id, client.user_name = victim.user_id, victim.username
    ts = t + 2
    for _ in range(rng.randint(15, 80)):
        em.http(ts, client, "POST", "/mfa", 401, body="code=%5BREDACTED%5D", rng=rng)
        em.emit(ts + 0.01, "mlm.auth", "mfa_verify", "failure", client, mlm__auth__method="totp")
        ts += rng.uniform(0.5, 4)
    return Truth("", "account_takeover", "mfa_brute_force", [victim.user_id, victim.username, client.ip], t, ts)


def _takeover_login(em: Emitter, rng: random.Random, plan: IpPlan, victim: Person, t: float) -> tuple[Client, float]:
    """A successful login with stolen credentials from a country and device new to the victim;
    returns the attacker's client and the time of their first attempt."""
    country = rng.choice([c for c in sorted(plan.by_country) if c != victim.country])
    device = make_device(rng, f"atk{int(t)}")
    client = Client(plan.address(rng, country), device.user_agent, device.id)
    first = t
    if rng.random() < 0.5:
        first = t - rng.uniform(30, 300)
        em.login(first, client, victim.username, victim.user_id, False, "bad_password")
    client.session_id = fingerprint("session", f"atk-{victim.user_id}-{t}")
    em.login(t, client, victim.username, victim.user_id, True, mfa=False)
    client.user_id, client.user_name = victim.user_id, victim.username
    return client, first


def impossible_travel(em: Emitter, rng: random.Random, plan: IpPlan, people: list[Person], t: float) -> Truth:
    victim = rng.choice([p for p in people if not p.traveller and not p.vpn])
    home = Client(plan.address(rng, victim.country), victim.devices[0].user_agent, victim.devices[0].id)
    em.login(t, home, victim.username, victim.user_id, True)
    later = t + rng.uniform(600, 5400)
    client, first = _takeover_login(em, rng, plan, victim, later)
    em.http(later + 5, client, "GET", "/wallet", rng=rng)
    # Timed from the attacker's first attempt: the victim's own login before it is no attack.
    return Truth("", "account_takeover", "impossible_travel", [victim.user_id, victim.username, client.ip],
                 first, later)


def session_hijack(em: Emitter, rng: random.Random, plan: IpPlan, people: list[Person], t: float) -> Truth:
    """A stolen session cookie replayed from another address and browser."""
    victim = rng.choice(people)
    device = victim.devices[0]
    own = Client(plan.address(rng, victim.country), device.user_agent, device.id, victim.user_id,
                 victim.username, fingerprint("session", f"hj-{victim.user_id}-{t}"))
    em.login(t, own, victim.username, victim.user_id, True)
    em.http(t + 30, own, "GET", "/wallet", rng=rng)
    thief = Client(plan.hosting_address(rng), rng.choice(BROWSERS).format(v=99, m=1), None,
                   victim.user_id, victim.username, own.session_id)
    ts = first = t + rng.uniform(120, 1800)
    for path in ("/wallet", "/account/security", "/wallet/payout"):
        em.http(ts, thief, "GET", path, rng=rng)
        ts += rng.uniform(2, 20)
    return Truth("", "account_takeover", "session_hijack", [victim.user_id, victim.username, thief.ip,
                 str(own.session_id)], first, ts)


def payout_redirection(em: Emitter, rng: random.Random, plan: IpPlan, people: list[Person], t: float) -> Truth:
    """The MLM kill chain: takeover login → contact/bank change → payout to the attacker's account."""
    victim = rng.choice([p for p in people if p.downline] or people)
    client, first = _takeover_login(em, rng, plan, victim, t)
    ts = t + rng.uniform(30, 600)
    if rng.random() < 0.6:
        em.emit(ts, "mlm.audit", rng.choice(("email_changed", "phone_changed")), "success", client)
        ts += rng.uniform(30, 600)
    new_bank = fingerprint("bank", f"mule-{t}")
    em.emit(ts, "mlm.audit", "bank_account_changed", "success", client, mlm__bank__fingerprint=new_bank,
            mlm__bank__previous_fingerprint=victim.bank)
    ts += rng.uniform(60, 3 * 3600)
    em.emit(ts, "mlm.commerce", "payout_requested", "success", client, mlm__distributor__id=victim.user_id,
            mlm__payout__id=f"PO{em.count:08d}", mlm__payout__amount=round(rng.uniform(300, 5000), 2),
            mlm__bank__fingerprint=new_bank)
    return Truth("", "account_takeover", "payout_redirection", [victim.user_id, victim.username, client.ip],
                 first, ts)
