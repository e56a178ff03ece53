"""Account takeover as reported in the wild: stuffing, spraying, guessing, travel, hijack, cash-out."""

from __future__ import annotations

import random
from typing import Any

from simulator.alt.benign import browse
from simulator.alt.emit import Who, Writer
from simulator.alt.net import Net, far_apart
from simulator.alt.people import AGENTS, Member, keyed
from simulator.attacks import Truth

HEADLESS = (
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/"
        "131.0.0.0 Safari/537.36"
    ),
    "okhttp/4.12.0",
    "python-httpx/0.27.2",
)
FAMILY = "account_takeover"


def _browser(rng: random.Random) -> str:
    return rng.choice(AGENTS).format(a=rng.randint(1, 6))


def _leak(rng: random.Random, members: list[Member], size: int, share: float) -> list[Member | str]:
    """A combo list: mostly addresses that never joined, some real members (reused passwords)."""
    real = rng.sample(members, min(len(members), int(size * share)))
    fake: list[Member | str] = [
        f"{rng.choice(('j', 'mike', 'anna', 'lee'))}{rng.getrandbits(24):x}@"
        f"{rng.choice(('gmail.com', 'yahoo.com', 'mail.ru'))}"
        for _ in range(size - len(real))
    ]
    combo: list[Member | str] = [*real, *fake]
    rng.shuffle(combo)
    return combo


def _attempt(w: Writer, who: Who, target: Member | str, ts: float, ok: bool = False) -> float:
    if isinstance(target, str):
        return w.login(ts, who, target, None, False, reason="unknown_user")
    return w.login(ts, who, target.username, target.id, ok, mfa=target.mfa)


def stuffing(
    w: Writer, rng: random.Random, net: Net, members: list[Member], ts: float, scale: float = 1.0
) -> Truth:
    """Thousands of residential proxies, one try each (or a second on another name), over 10 min-3 h."""
    combo = _leak(rng, members, int(rng.randint(1000, 6000) * scale), rng.uniform(0.05, 0.2))
    window = rng.uniform(600, 10_800)
    second = rng.choice((0.0, 0.0, 0.3))  # share of proxies that try a second name
    ips, hit = [], []
    for target in combo:
        who = Who(net.home_ip(rng, net.country_of_choice(rng)), _browser(rng))
        ips.append(who.ip)
        at = ts + rng.uniform(0, window)
        ok = isinstance(target, Member) and rng.random() < 0.02
        _attempt(w, who, target, at, ok)
        if ok and isinstance(target, Member):
            hit.append(target.id)
        elif rng.random() < second:
            _attempt(w, who, rng.choice(combo), at + rng.uniform(2, 30))
    # Failed logins name what was typed (EVENTS.md): an alert may name the account or the typed name.
    users = [x for t in combo if isinstance(t, Member) for x in (t.id, t.username)]
    return Truth(
        "",
        FAMILY,
        "stuffing_residential_proxies",
        ["service", *users, *ips],
        ts,
        ts + window,
        {"attempts": len(combo), "ips": len(set(ips)), "compromised": hit},
    )


def slow_spray(w: Writer, rng: random.Random, net: Net, members: list[Member], ts: float) -> Truth:
    """Low and slow: one or two season passwords across hundreds of members over 3-24 h, one try per
    member and round, from one address up to a few dozen."""
    pool = [
        net.dc_ip(rng) if rng.random() < 0.4 else net.home_ip(rng, net.country_of_choice(rng))
        for _ in range(rng.choice((1, 3, rng.randint(10, 70))))
    ]
    agent = _browser(rng)
    targets = rng.sample(members, min(len(members), rng.randint(100, 500)))
    rounds, span = rng.choice((1, 2)), rng.uniform(3, 24) * 3600
    at, end, used = ts, ts, set()
    for _round in range(rounds):
        for target in targets:
            at += rng.expovariate(len(targets) * rounds / span)
            who = Who(rng.choice(pool), agent)
            used.add(who.ip)
            end = _attempt(w, who, target, at)
    return Truth(
        "",
        FAMILY,
        "low_and_slow_spraying",
        ["service", *sorted(used), *[x for t in targets for x in (t.id, t.username)]],
        ts,
        end,
        {"targets": len(targets), "ips": len(set(pool)), "rounds": rounds},
    )


def slow_brute(
    w: Writer, rng: random.Random, net: Net, members: list[Member], ts: float, every: float = 60.0
) -> Truth:
    """One account, one guess every `every` seconds (a minute stays under lockouts per 15 minutes)."""
    target = rng.choice([m for m in members if m.archetype in ("leader", "builder")] or members)
    who = Who(net.dc_ip(rng), rng.choice(HEADLESS))
    tries = rng.randint(90, 240)
    at = ts
    for _ in range(tries):
        at = _attempt(w, who, target, at + rng.uniform(0.8, 1.2) * every)
    kind = "brute_force_one_per_minute" if every >= 30 else "brute_force_every_10s"
    return Truth(
        "", FAMILY, kind, [target.id, who.ip, target.username], ts, at, {"tries": tries, "every": every}
    )


def mfa_guessing(w: Writer, rng: random.Random, net: Net, members: list[Member], ts: float) -> Truth:
    """The password is known; the attacker cycles TOTP guesses, signing in again when cut off."""
    target = rng.choice([m for m in members if m.mfa] or members)
    who = Who(net.home_ip(rng, net.country_of_choice(rng)), _browser(rng), w.token(96))
    at = ts
    for _round in range(rng.randint(4, 10)):
        at = w.login(at, who, target.username, target.id, True, mfa=True)
        who.session, who.user_id, who.user_name = w.token(), target.id, target.username
        for _ in range(5):
            at += rng.uniform(3, 12)
            w.event(at, "mlm.auth", "mfa_verify", who, "failure", mlm__auth__method="totp")
            w.hit(at + 0.03, who, "POST", "/mfa", 401, body=f"csrf_token={w.token(64)}&code=[REDACTED]")
        who.session, who.user_id, who.user_name = None, None, None
        at += rng.uniform(20, 90)
    return Truth("", FAMILY, "mfa_guessing", [target.id, who.ip], ts, at)


def travel(w: Writer, rng: random.Random, net: Net, members: list[Member], ts: float, vpn: bool) -> Truth:
    """The owner at home, then a valid sign-in from another continent within the hour (new device)."""
    victim = rng.choice([m for m in members if not m.mfa and not m.vpn_ip] or members)
    device = victim.devices[0]
    home = Who(victim.home_ip, device.agent, device.id)
    w.login(ts, home, victim.username, victim.id, True)
    far = [c for c in net.countries if far_apart(c, victim.country)] or net.countries
    exit_ip = net.far_dc_ip(rng, victim.country) if vpn else net.home_ip(rng, rng.choice(far))
    thief = Who(exit_ip, _browser(rng), w.token(96))
    start = ts + rng.uniform(900, 3600)
    at = w.login(start, thief, victim.username, victim.id, True)
    thief.session, thief.user_id, thief.user_name = w.token(), victim.id, victim.username
    end = browse(w, rng, victim, thief, at, rng.randint(3, 8))
    kind = "impossible_travel_vpn" if vpn else "impossible_travel"
    return Truth("", FAMILY, kind, [victim.id, thief.ip, thief.session], start, end)


def hijack(w: Writer, rng: random.Random, net: Net, members: list[Member], ts: float) -> Truth:
    """A stolen session cookie replayed from another network and browser, without any sign-in."""
    victim = rng.choice(members)
    device = victim.devices[0]
    session = keyed("sess", f"{victim.id}/{device.id}")[:32]
    owner = Who(victim.home_ip, device.agent, device.id, victim.id, victim.username, session)
    at = browse(w, rng, victim, owner, ts, 3)
    thief = Who(net.dc_ip(rng), _browser(rng), None, victim.id, victim.username, session)
    start = at + rng.uniform(120, 1800)
    end = browse(w, rng, victim, thief, start, rng.randint(4, 10))
    return Truth("", FAMILY, "session_cookie_replay", [victim.id, session, thief.ip], start, end)


def cash_out(
    w: Writer, rng: random.Random, net: Net, members: list[Member], ts: float, wait: float = 6 * 3600
) -> Truth:
    """Takeover, `wait` seconds of quiet, then bank and email changed and a payout to the new bank."""
    victim = rng.choice([m for m in members if m.archetype in ("leader", "builder") and not m.mfa] or members)
    thief = Who(net.home_ip(rng, net.country_of_choice(rng)), _browser(rng), w.token(96))
    at = w.login(ts, thief, victim.username, victim.id, True)
    thief.session, thief.user_id, thief.user_name = w.token(), victim.id, victim.username
    at = browse(w, rng, victim, thief, at, 4)
    at += wait
    first_session = thief.session
    at = w.login(at, thief.anonymous(), victim.username, victim.id, True)
    thief.session = w.token()
    mule = keyed("bank", f"mule/{ts}")
    at += rng.uniform(60, 400)
    w.event(at, "mlm.audit", "email_changed", thief, mlm__target__id=victim.id)
    at += rng.uniform(30, 300)
    bank_at = at
    w.event(
        at,
        "mlm.audit",
        "bank_account_changed",
        thief,
        mlm__bank__fingerprint=mule,
        mlm__bank__previous_fingerprint=victim.change_bank(at, mule),
        mlm__target__id=victim.id,
    )
    at += rng.uniform(60, 900)
    payout: dict[str, Any] = {
        "mlm__distributor__id": victim.id,
        "mlm__payout__id": f"PO-{w.token(40)}",
        "mlm__payout__amount": round(rng.uniform(300, 4000), 2),
        "mlm__bank__fingerprint": mule,
    }
    w.event(at, "mlm.commerce", "payout_requested", thief, **payout)
    w.hit(at + 0.05, thief, "POST", "/payouts", 303, body=f"csrf_token={w.token(64)}&amount=all")
    return Truth(
        "",
        FAMILY,
        "takeover_wait_bank_payout",
        [victim.id, thief.ip, first_session or "", thief.session],
        ts,
        at,
        {"bank_changed": bank_at, "wait_h": round(wait / 3600, 1)},
    )


def reset_takeover(w: Writer, rng: random.Random, net: Net, members: list[Member], ts: float) -> Truth:
    """The victim's mailbox is owned: password reset from the thief's device, MFA off, email changed."""
    victim = rng.choice(members)
    thief = Who(net.mobile_ip(rng, net.country_of_choice(rng)), _browser(rng), w.token(96))
    named = Who(thief.ip, thief.agent, thief.device, victim.id, victim.username)
    w.event(ts, "mlm.auth", "password_reset_requested", named)
    at = ts + rng.uniform(40, 300)
    w.event(at, "mlm.auth", "password_reset_completed", named)
    at = w.login(at + rng.uniform(5, 30), thief, victim.username, victim.id, True, mfa=victim.mfa)
    thief.session, thief.user_id, thief.user_name = w.token(), victim.id, victim.username
    if victim.mfa:
        at += rng.uniform(10, 60)
        w.event(at, "mlm.auth", "mfa_verify", thief, mlm__auth__method="recovery_code")
        w.event(at + rng.uniform(20, 90), "mlm.auth", "mfa_disabled", thief)
    at += rng.uniform(60, 600)
    w.event(at, "mlm.audit", "email_changed", thief, mlm__target__id=victim.id)
    return Truth("", FAMILY, "password_reset_takeover", [victim.id, thief.ip, thief.session], ts, at)


def sim_swap(w: Writer, rng: random.Random, net: Net, members: list[Member], ts: float) -> Truth:
    """The victim's number is ported to the thief's SIM: an SMS password reset from the victim's own
    country and carrier, then email, bank and a payout within the hour (no geography to notice)."""
    victim = rng.choice([m for m in members if not m.mfa and m.downline] or members)
    thief = Who(net.mobile_ip(rng, victim.country), _browser(rng), w.token(96))
    named = Who(thief.ip, thief.agent, thief.device, victim.id, victim.username)
    w.event(ts, "mlm.auth", "password_reset_requested", named)
    at = ts + rng.uniform(30, 240)
    w.event(at, "mlm.auth", "password_reset_completed", named)
    at = w.login(at + rng.uniform(5, 40), thief, victim.username, victim.id, True)
    thief.session, thief.user_id, thief.user_name = w.token(), victim.id, victim.username
    at = browse(w, rng, victim, thief, at, rng.randint(1, 4))
    mule = keyed("bank", f"simswap/{ts}")
    for action in ("email_changed", "bank_account_changed"):
        at += rng.uniform(30, 900)
        extra = {}
        if action == "bank_account_changed":
            extra = {
                "mlm__bank__fingerprint": mule,
                "mlm__bank__previous_fingerprint": victim.change_bank(at, mule),
            }
        w.event(at, "mlm.audit", action, thief, mlm__target__id=victim.id, **extra)
    at += rng.uniform(60, 1200)
    w.event(
        at,
        "mlm.commerce",
        "payout_requested",
        thief,
        mlm__distributor__id=victim.id,
        mlm__payout__id=f"PO-{w.token(40)}",
        mlm__payout__amount=round(rng.uniform(150, 3000), 2),
        mlm__bank__fingerprint=mule,
    )
    return Truth("", FAMILY, "sim_swap_reset_cash_out", [victim.id, thief.ip, thief.session], ts, at)
