"""Account takeover as reported in the wild: stuffing, spraying, guessing, travel, hijack, cash-out."""

from __future__ import annotations

import random
from typing import Any

from simulator.alt.benign import browse
from simulator.alt.emit import Who, Writer
from simulator.alt.net import Net
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
    """Thousands of residential proxies, one or two tries each, spread over half an hour."""
    combo = _leak(rng, members, int(rng.randint(2000, 4000) * scale), 0.12)
    window = rng.uniform(1200, 2400)
    ips, hit = [], []
    for target in combo:
        who = Who(net.home_ip(rng, net.country_of_choice(rng)), _browser(rng))
        ips.append(who.ip)
        at = ts + rng.uniform(0, window)
        ok = isinstance(target, Member) and rng.random() < 0.02
        _attempt(w, who, target, at, ok)
        if ok and isinstance(target, Member):
            hit.append(target.id)
        elif rng.random() < 0.3:
            _attempt(w, who, rng.choice(combo), at + rng.uniform(2, 30))
    users = [t.id for t in combo if isinstance(t, Member)]
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
    """Low and slow: two season passwords across hundreds of members over a day, from a few dozen IPs."""
    pool = [
        net.dc_ip(rng) if rng.random() < 0.4 else net.home_ip(rng, net.country_of_choice(rng))
        for _ in range(rng.randint(25, 70))
    ]
    agent = _browser(rng)
    targets = rng.sample(members, min(len(members), rng.randint(150, 500)))
    span = rng.uniform(16, 24) * 3600
    at, end = ts, ts
    for _round in range(2):
        for target in targets:
            at += rng.expovariate(len(targets) * 2 / span)
            end = _attempt(w, Who(rng.choice(pool), agent), target, at)
    return Truth(
        "",
        FAMILY,
        "low_and_slow_spraying",
        ["service", *pool, *[t.id for t in targets]],
        ts,
        end,
        {"targets": len(targets), "ips": len(set(pool))},
    )


def slow_brute(w: Writer, rng: random.Random, net: Net, members: list[Member], ts: float) -> Truth:
    """One account, one guess a minute for hours (under a lockout threshold per 15 minutes)."""
    target = rng.choice([m for m in members if m.archetype in ("leader", "builder")] or members)
    who = Who(net.dc_ip(rng), rng.choice(HEADLESS))
    tries = rng.randint(90, 240)
    at = ts
    for _ in range(tries):
        at = _attempt(w, who, target, at + rng.uniform(50, 70))
    return Truth("", FAMILY, "brute_force_one_per_minute", [target.id, who.ip], ts, at, {"tries": tries})


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
    far = [c for c in net.countries if abs(_lon(c) - _lon(victim.country)) > 90] or net.countries
    thief = Who(net.dc_ip(rng) if vpn else net.home_ip(rng, rng.choice(far)), _browser(rng), w.token(96))
    start = ts + rng.uniform(900, 3600)
    at = w.login(start, thief, victim.username, victim.id, True)
    thief.session, thief.user_id, thief.user_name = w.token(), victim.id, victim.username
    end = browse(w, rng, victim, thief, at, rng.randint(3, 8))
    kind = "impossible_travel_vpn" if vpn else "impossible_travel"
    return Truth("", FAMILY, kind, [victim.id, thief.ip, thief.session], start, end)


def _lon(country: str) -> float:
    """Rough longitude of a market, enough to tell continents apart."""
    return {
        "US": -98,
        "CA": -100,
        "MX": -102,
        "BR": -50,
        "CO": -74,
        "PE": -76,
        "GB": -2,
        "FR": 2,
        "DE": 10,
        "NG": 8,
        "ZA": 25,
        "IN": 78,
        "TH": 101,
        "MY": 102,
        "ID": 113,
        "PH": 122,
        "TW": 121,
        "KR": 128,
        "JP": 138,
        "AU": 134,
    }.get(country, 0)


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


def cash_out(w: Writer, rng: random.Random, net: Net, members: list[Member], ts: float) -> Truth:
    """Takeover, hours of quiet, then bank and email changed and a payout requested to the new bank."""
    victim = rng.choice([m for m in members if m.archetype in ("leader", "builder") and not m.mfa] or members)
    thief = Who(net.home_ip(rng, net.country_of_choice(rng)), _browser(rng), w.token(96))
    at = w.login(ts, thief, victim.username, victim.id, True)
    thief.session, thief.user_id, thief.user_name = w.token(), victim.id, victim.username
    at = browse(w, rng, victim, thief, at, 4)
    at += rng.uniform(3, 9) * 3600
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
        {"bank_changed": bank_at},
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
