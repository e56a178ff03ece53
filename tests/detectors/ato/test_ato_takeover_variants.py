"""Takeover variants an outside world may replay (a thief's failed first try, a patient thief who
waits a day before changing the bank) and the hard negatives (a traveller on the usual device, a
mobile user hopping addresses within one carrier, a spraying tool's browser)."""

from __future__ import annotations

import pytest
from ato_helpers import audit, commerce, login, run, seconds_of
from builders import make_event

from detectors.ato.risk import LoginRisk
from detectors.ato.travel import ImpossibleTravel

DAY, HOUR = 86_400.0, 3600.0


def home(t: float, user: str = "amy", ip: str = "198.51.100.7", asn: int = 7922):
    return login(t, user, ip=ip, country="US", device="dev-home", source__as__number=asn)


def trained(days: int = 20, user: str = "amy") -> LoginRisk:
    det = LoginRisk()
    for d in range(days):
        det.observe_baseline(home(d * DAY, user))
    det.fit_baseline()
    return det


def thief(t: float, ok: bool = True, user: str = "amy", country: str = "RO"):
    """The app names the account on a wrong password (user.id), as mlm_app does."""
    return login(t, user, ok=ok, ip="203.0.113.50", country=country, device="dev-thief", source__as__number=9009,
                 user__id=user)


@pytest.mark.parametrize("gap", [120.0, 900.0, 3 * HOUR])
def test_failed_first_try_from_far_away_alerts_before_the_break_in(gap):
    """The owner logged in at home; a browser in Romania fails the password `gap` seconds later."""
    t = 30 * DAY
    events = [home(t), thief(t + gap, ok=False), thief(t + gap + 40)]
    alerts = run(ImpossibleTravel(), events)
    assert [seconds_of(a) for a in alerts] == [t + gap, t + gap + 40]
    assert alerts[0].severity == "medium" and "wrong password from RO" in alerts[0].summary
    assert alerts[0].event_ids == [events[0].id, events[1].id]


def test_spraying_tools_browser_failing_for_many_accounts_is_not_travel():
    """One cookie failing for several accounts is a tool, not a thief at one account's door."""
    events = [home(i * 10.0, user=f"u{i}") for i in range(5)]
    events += [login(600 + i, f"u{i}", ok=False, ip="203.0.113.50", country="RO", device="dev-tool",
                     user__id=f"u{i}") for i in range(5)]
    alerts = run(ImpossibleTravel(), events)
    assert len(alerts) <= 1  # only the first account, before the cookie showed it is a tool


def test_failed_try_without_a_device_cookie_is_left_to_the_spraying_detectors():
    events = [home(0), login(300, "amy", ok=False, ip="203.0.113.50", country="RO", device=None, user__id="amy")]
    assert run(ImpossibleTravel(), events) == []


def test_patient_thief_changing_the_bank_a_day_later_is_still_chained():
    det = trained()
    t = 30 * DAY
    events = [thief(t), home(t + 2 * HOUR),  # the owner logs in as usual meanwhile
              thief(t + 20 * HOUR), audit(t + 20 * HOUR + 60, "amy", "bank_account_changed"),
              commerce(t + 20 * HOUR + 600, "amy", "payout_requested")]
    alerts = run(det, events)
    assert [a.rule_id for a in alerts] == ["mlm-ato-login-risk", "mlm-ato-login-risk",
                                           "mlm-ato-kill-chain-change", "mlm-ato-kill-chain-payout"]
    assert alerts[-1].severity == "critical"


def test_a_strangers_login_is_not_learned_as_a_habit():
    det = trained()
    first, second = thief(30 * DAY), thief(31 * DAY)  # past the six-hour suppression
    assert len(run(det, [first])) == 1
    assert [a.rule_id for a in run(det, [second])] == ["mlm-ato-login-risk"]


def test_failed_first_try_from_the_same_client_adds_to_the_risk():
    det = trained(days=1)  # too thin a history to alert on a stranger alone
    t = 30 * DAY
    events = [thief(t, ok=False), thief(t + 90)]
    assert run(det, events[:1]) == []
    risk, reasons = det.score(det.profiles.novelty("amy", t, *_where(events[1])), _where(events[1])[0],
                              *det._recent_failures(events[1], "amy", "dev-thief"))
    assert "failed first" in reasons and risk == 40 + 25 + 15 + 10


def _where(event):
    from detectors.ato.profiles import device_of
    from detectors.ato.where import place_of
    return place_of(event), device_of(event)


def test_traveller_on_the_usual_device_abroad_for_days_stays_quiet():
    det, travel = trained(), ImpossibleTravel()
    for d in range(20):
        travel.process(home(d * DAY))
    t = 30 * DAY
    trip = [login(t + 11 * HOUR + k * DAY, "amy", ip=f"81.2.{k}.9", country="FR", device="dev-home",
                  source__as__number=3215 + k) for k in range(4)]
    events = [home(t)] + trip + [audit(t + 11 * HOUR + 300, "amy", "phone_changed")]
    assert run(det, events) == []
    assert run(travel, events) == []


def test_mobile_user_hopping_addresses_within_one_carrier_stays_quiet():
    det = trained()
    t = 30 * DAY
    hops = [login(t + i * 900, "amy", ip=f"172.{56 + i}.{i * 7}.{i + 2}", country="US", device="dev-home",
                  source__as__number=21928 if i % 2 else 7922) for i in range(12)]
    assert run(det, hops) == []
    assert run(ImpossibleTravel(), hops) == []


def test_corporate_vpn_exit_used_by_many_users_stays_quiet():
    """Forty employees appearing from one VPN exit abroad (a hosting operator) on their own laptops."""
    det, travel = LoginRisk(), ImpossibleTravel()
    users = [f"emp{i}" for i in range(40)]
    for d in range(10):
        for u in users:
            event = login(d * DAY + users.index(u), u, ip=f"198.51.100.{users.index(u) + 2}", country="US",
                          device=f"dev-{u}", source__as__number=7922)
            det.observe_baseline(event)
            travel.process(event)
    vpn = [login(20 * DAY + i * 30, u, ip="185.220.10.4", country="NL", device=f"dev-{u}",
                 source__as__organization__name="Zscaler, Inc.", source__as__number=53813)
           for i, u in enumerate(users)]
    assert run(det, vpn) == [] and run(travel, vpn) == []


def test_vpn_users_exit_countries_are_not_habits_so_home_is_not_a_strangers_country():
    """A member always on a VPN (cloud exits in US and AU), then once from home on a second laptop."""
    det = LoginRisk()
    for d, country in enumerate(["US", "AU", "US"]):
        det.observe_baseline(login(d * DAY, "vic", ip=f"34.43.{d}.9", country=country, device="dev-1",
                                   source__as__organization__name="GOOGLE-CLOUD-PLATFORM"))
    at_home = login(5 * DAY, "vic", ip="191.104.217.63", country="CO", device="dev-2",
                    source__as__organization__name="COLOMBIA TELECOMUNICACIONES S.A. ESP")
    assert run(det, [at_home]) == []


def test_strangers_device_behind_a_vpn_exit_abroad_minutes_after_a_home_login_alerts():
    """The outside world's impossible_travel_vpn: a datacenter exit in another country, a new device."""
    travel = ImpossibleTravel()
    for d in range(3):
        travel.process(home(d * DAY))
    t = 10 * DAY
    exit_ = {"ip": "185.220.10.4", "country": "NL", "source__as__organization__name": "M247 Europe SRL"}
    thief_vpn = login(t + 1800, "amy", device="dev-thief", **exit_)
    alerts = run(travel, [home(t), thief_vpn])
    assert [(a.severity, seconds_of(a)) for a in alerts] == [("medium", t + 1800)]
    assert "behind a hosting or VPN exit" in alerts[0].summary
    own_vpn = login(t + DAY + 1800, "amy", device="dev-home", user_agent__original="Other/1.0", **exit_)
    assert run(travel, [home(t + DAY), own_vpn]) == []  # the member's own laptop on their VPN


def test_shared_exit_used_by_many_members_does_not_make_a_new_country():
    """A corporate exit that geolocates abroad and is not a known hosting operator: once five members
    use it, a sixth on a laptop of their own is not a stranger."""
    det = LoginRisk()
    for d in range(5):
        det.observe_baseline(home(d * DAY, user="zed"))
    for i in range(5):
        det.observe_baseline(login(i * 60.0, f"colleague{i}", ip=f"103.6.{i}.9".replace(f".{i}.", ".44."),
                                   country="MY", device=f"dev-c{i}", source__as__number=4788))
    at_work = login(10 * DAY, "zed", ip="103.6.44.20", country="MY", device="dev-work-laptop", source__as__number=4788)
    assert run(det, [at_work]) == []


def reset_done(t: float, user: str = "amy"):
    return make_event(t, event__dataset="mlm.auth", event__action="password_reset_completed",
                      event__category=["iam"], event__type=["change"], user__id=user)


def test_reset_from_a_new_phone_then_email_change_is_a_takeover_chain():
    """An owned mailbox: reset from the thief's phone in the owner's country, login, e-mail changed."""
    det = trained()
    t = 30 * DAY
    phone = {"ip": "100.70.1.9", "country": "US", "device": "dev-thief-phone", "source__as__number": 21928}
    events = [reset_done(t), login(t + 20, "amy", **phone), audit(t + 300, "amy", "email_changed")]
    alerts = run(det, events)
    assert [(a.rule_id, a.severity) for a in alerts] == [("mlm-ato-kill-chain-change", "high")]
    assert "password reset first" in alerts[0].summary


def test_reset_then_login_on_the_own_phone_and_an_email_change_stays_quiet():
    det = trained()
    t = 30 * DAY
    events = [reset_done(t), home(t + 20), audit(t + 300, "amy", "email_changed")]
    assert run(det, events) == []
    # A reset more than an hour before the login no longer counts.
    phone = {"ip": "100.70.1.9", "country": "US", "device": "dev-new-phone", "source__as__number": 21928}
    later = [reset_done(t + DAY), login(t + DAY + 2 * HOUR, "amy", **phone), audit(t + DAY + 2 * HOUR + 300, "amy", "email_changed")]
    assert run(det, later) == []


def test_home_broadband_named_like_a_cloud_is_still_home():
    """GOOGLE-FIBER is a residential ISP: a login from it is a home login that travel is measured from."""
    from detectors.ato.where import is_hosting
    assert not is_hosting("GOOGLE-FIBER") and is_hosting("GOOGLE-CLOUD-PLATFORM")
    fiber = {"ip": "136.36.1.9", "country": "US", "source__as__organization__name": "GOOGLE-FIBER"}
    events = [login(0, "kim", device="dev-k", **fiber),
              login(1300, "kim", ip="220.141.225.54", country="TW", device="dev-thief",
                    source__as__organization__name="Data Communication Business Group")]
    assert [a.rule_id for a in run(ImpossibleTravel(), events)] == ["mlm-ato-impossible-travel"]


def test_reset_on_an_account_without_history_then_email_change_alerts():
    """A member never seen logging in: reset, login, e-mail changed ten minutes later."""
    det = LoginRisk()
    t = 30 * DAY
    events = [reset_done(t, "dormant"), login(t + 30, "dormant", ip="189.170.26.3", country="MX", device="dev-x"),
              audit(t + 600, "dormant", "email_changed")]
    assert [(a.rule_id, a.severity) for a in run(det, events)] == [("mlm-ato-kill-chain-change", "high")]
    # Without the reset, a first login and an e-mail change is a new member settling in.
    fresh = [login(t, "newbie", ip="189.170.26.4", country="MX", device="dev-y"), audit(t + 600, "newbie", "email_changed")]
    assert run(LoginRisk(), fresh) == []


def test_forgetful_member_failing_then_resetting_then_logging_in_is_not_alerted():
    """Five wrong passwords, a reset, a login: the failures were the owner's, before the reset."""
    for det, who in ((LoginRisk(), "forgot"), (trained(user="amy"), "amy")):
        t = 30 * DAY
        fails = [login(t + k * 20, who, ok=False, user__id=who) for k in range(5)]
        events = [*fails, reset_done(t + 300, who), login(t + 400, who, ip="198.51.100.9", device="dev-new-phone")]
        assert run(det, events) == []
