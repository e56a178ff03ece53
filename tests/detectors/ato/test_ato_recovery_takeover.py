"""The recovery-flow takeover of a member with habits: reset, a login on a never-seen device from the
member's own country and carrier, then the mailbox or second factor taken. And the new-phone owner,
who resets and signs in on a new device too, but keeps their e-mail and MFA."""

from __future__ import annotations

import pytest
from ato_helpers import audit, login, run, seconds_of
from builders import make_event

from detectors.ato.risk import LoginRisk

DAY = 86_400.0
CARRIER = {"ip": "172.58.14.9", "country": "US", "source__as__number": 21928}


def trained(user: str = "amy") -> LoginRisk:
    """Habits from home broadband and the member's phone on the same mobile carrier the thief uses."""
    det = LoginRisk()
    for d in range(12):
        det.observe_baseline(login(d * DAY, user, ip="198.51.100.7", country="US", device="dev-home",
                                   source__as__number=7922))
        det.observe_baseline(login(d * DAY + 3600, user, device="dev-phone", **CARRIER))
    det.fit_baseline()
    return det


def reset_done(t: float, user: str = "amy"):
    return make_event(t, event__dataset="mlm.auth", event__action="password_reset_completed",
                      event__category=["iam"], event__type=["change"], user__id=user)


@pytest.mark.parametrize(("action", "after"), [("email_changed", 90.0), ("email_changed", 900.0),
                                               ("mfa_disabled", 60.0), ("email_changed", 1700.0)])
def test_reset_new_device_then_mailbox_or_mfa_taken_alerts(action, after):
    det = trained()
    t = 30 * DAY
    signin = login(t + 40, "amy", device="dev-thief", **CARRIER)
    events = [reset_done(t), signin, audit(t + 40 + after, "amy", action, mlm__target__id="amy")]
    alerts = run(det, events)
    assert [(a.rule_id, a.severity, seconds_of(a)) for a in alerts] == [
        ("mlm-ato-kill-chain-change", "high", t + 40 + after)]
    assert "password reset first" in alerts[0].summary and "new_device" in alerts[0].summary
    assert alerts[0].event_ids[0] == signin.id


def test_new_phone_owner_who_resets_and_updates_the_number_stays_quiet():
    det = trained()
    t = 30 * DAY
    events = [reset_done(t), login(t + 30, "amy", device="dev-new-phone", **CARRIER),
              audit(t + 400, "amy", "phone_changed", mlm__target__id="amy")]
    assert run(det, events) == []


def test_mailbox_change_long_after_the_reset_login_or_on_the_own_device_stays_quiet():
    det = trained()
    t = 30 * DAY
    late = [reset_done(t), login(t + 30, "amy", device="dev-new-laptop", **CARRIER),
            audit(t + 2 * 3600, "amy", "email_changed", mlm__target__id="amy")]
    assert run(det, late) == []
    own = [reset_done(t + DAY), login(t + DAY + 30, "amy", device="dev-phone", **CARRIER),
           audit(t + DAY + 300, "amy", "email_changed", mlm__target__id="amy")]
    assert run(det, own) == []
