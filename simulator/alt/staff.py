"""Company staff: a support call centre acting for members every day, finance admins, and the phished
admin account that re-points top earners' payouts (an account takeover with the widest blast radius)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from simulator.alt.emit import Who, Writer
from simulator.alt.net import Net, host
from simulator.alt.people import AGENTS, Member, keyed
from simulator.attacks import Truth

SHIFT = {"support": 0.5, "finance": 14.0}  # UTC hour shifts start: Manila morning, US central morning


@dataclass
class Staff:
    """A staff account (user ids outside the distributor id space) at its office desk."""

    id: str
    role: str
    office_ip: str
    device: str
    agent: str
    served: list[str] = field(default_factory=list)  # members acted on during the test days

    def who(self, session: str | None = None) -> Who:
        return Who(self.office_ip, self.agent, self.device, self.id, f"{self.role}.{self.id}", session)


def hire(rng: random.Random, net: Net) -> list[Staff]:
    """Four to eight support agents behind the call centre's NAT, two finance admins at HQ."""
    centre = host(rng, rng.choice(net.home.get("PH") or net.home[net.countries[0]]))
    hq = host(rng, rng.choice(net.home.get("US") or net.home[net.countries[0]]))
    team = [("support", centre)] * rng.randint(4, 8) + [("finance", hq)] * 2
    return [
        Staff(f"staff-{index + 1:03d}", role, ip, f"{rng.getrandbits(96):024x}", AGENTS[3].format(a=4))
        for index, (role, ip) in enumerate(team)
    ]


def _start(w: Writer, rng: random.Random, person: Staff, ts: float) -> Who:
    """Sign in with password and TOTP at the desk."""
    who = person.who()
    at = w.login(ts, who, f"{person.role}.{person.id}", person.id, True, mfa=True)
    who.session = w.token()
    w.event(at + rng.uniform(5, 20), "mlm.auth", "mfa_verify", who, mlm__auth__method="totp")
    return who


def _ticket(w: Writer, rng: random.Random, who: Who, member: Member, ts: float) -> None:
    """One call: look the caller up, maybe change contact details or reset MFA on their behalf
    (payout details are the member's own job in the back office: staff never change them)."""
    w.event(ts, "mlm.audit", "pii_viewed", who, mlm__target__id=member.id)
    w.hit(ts + 0.02, who, "GET", f"/admin/distributors/{member.id}")
    roll, at = rng.random(), ts + rng.uniform(60, 400)
    if roll < 0.12:
        w.event(at, "mlm.audit", "phone_changed", who, mlm__target__id=member.id)
    elif roll < 0.22:
        w.event(at, "mlm.audit", "email_changed", who, mlm__target__id=member.id)
    elif roll < 0.26 and member.mfa:  # a lost phone: the second factor is reset, the member re-enrols
        w.event(at, "mlm.auth", "mfa_reset", who, mlm__target__id=member.id)
        phone = member.devices[0]
        session = keyed("sess", f"{member.id}/{phone.id}")[:32]
        mine = Who(member.home_ip, phone.agent, phone.id, member.id, member.username, session)
        w.event(at + rng.uniform(120, 1800), "mlm.auth", "mfa_enrolled", mine)
    else:
        return
    w.hit(at + 0.03, who, "POST", f"/admin/distributors/{member.id}", 303, body=f"csrf_token={w.token(64)}")


def work_day(
    w: Writer, rng: random.Random, staff: list[Staff], members: list[Member], day_start: float, served: bool
) -> None:
    """Weekday shifts: agents take 10-30 calls each; finance looks at a few records, exports weekly."""
    if (day_start // 86_400 + 3) % 7 >= 5:  # 1970-01-01 was a Thursday: skip Saturday and Sunday
        return
    for person in staff:
        at = day_start + (SHIFT[person.role] + rng.uniform(0, 1)) * 3600
        who = _start(w, rng, person, at)
        calls = rng.randint(10, 30) if person.role == "support" else rng.randint(1, 4)
        for _ in range(calls):
            at += rng.uniform(300, 1500)
            member = rng.choice(members)
            if person.role == "support":
                _ticket(w, rng, who, member, at)
            else:
                w.event(at, "mlm.audit", "pii_viewed", who, mlm__target__id=member.id)
            if served:
                person.served.append(member.id)
        if person.role == "finance" and rng.random() < 0.2:
            w.event(at + 600, "mlm.audit", "data_exported", who, mlm__export__records=rng.randint(200, 3000))
        w.event(at + 900, "mlm.auth", "logout", who)


def phished_admin(
    w: Writer, rng: random.Random, net: Net, staff: list[Staff], members: list[Member], ts: float
) -> Truth:
    """A finance admin's password and a recovery code were phished: at night, from a rented server,
    the thief re-points three to six top earners' payouts at one account and exports the member list."""
    admin = rng.choice([s for s in staff if s.role == "finance"])
    thief = Who(net.far_dc_ip(rng, "US"), AGENTS[5].format(a=2), w.token(96))
    at = w.login(ts, thief, f"{admin.role}.{admin.id}", admin.id, True, mfa=True)
    thief.session, thief.user_id, thief.user_name = w.token(), admin.id, f"{admin.role}.{admin.id}"
    w.event(at + rng.uniform(10, 40), "mlm.auth", "mfa_verify", thief, mlm__auth__method="recovery_code")
    earners = sorted(members, key=lambda m: -len(m.downline))[:20]
    victims = rng.sample(earners, rng.randint(3, 6))
    mule = keyed("bank", f"admin-mule/{ts}")
    at += rng.uniform(60, 600)
    for member in victims:
        at += rng.uniform(20, 240)
        w.event(at, "mlm.audit", "pii_viewed", thief, mlm__target__id=member.id)
        at += rng.uniform(10, 60)
        w.event(
            at,
            "mlm.audit",
            "bank_account_changed",
            thief,
            mlm__bank__fingerprint=mule,
            mlm__bank__previous_fingerprint=member.change_bank(at, mule),
            mlm__target__id=member.id,
        )
    at += rng.uniform(60, 600)
    w.event(at, "mlm.audit", "data_exported", thief, mlm__export__records=rng.randint(5000, 20_000))
    return Truth(
        "",
        "account_takeover",
        "phished_admin_repoints_payouts",
        [admin.id, thief.ip, thief.session, *[m.id for m in victims]],
        ts,
        at,
        {"victims": len(victims)},
    )
