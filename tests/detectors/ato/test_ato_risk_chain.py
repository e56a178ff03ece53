"""Login risk model and the takeover kill chain: login -> account change -> payout."""

from __future__ import annotations

from ato_helpers import audit, commerce, login, run, seconds_of

from detectors.ato.risk import LoginRisk

DAY = 86_400.0
NIGHT = 40 * DAY + 12 * 3600  # 21:00 UTC: an hour this morning user never logs in at


def habits(user: str = "amy", days: int = 30) -> list:
    """A month of ordinary logins: home country, one device, one network, mornings."""
    return [login(d * DAY, user, country="US", device="dev-home", source__as__number=7922) for d in range(days)]


def trained(user: str = "amy") -> LoginRisk:
    det = LoginRisk()
    for event in habits(user):
        det.observe_baseline(event)
    det.fit_baseline()
    return det


def stranger_login(t: float, user: str = "amy"):
    return login(t, user, ip="203.0.113.50", country="RO", device="dev-new", source__as__number=9009)


def test_takeover_chain_alerts_high_on_bank_change_and_critical_on_payout():
    det = trained()
    t = NIGHT
    events = [stranger_login(t), audit(t + 120, "amy", "email_changed"),
              audit(t + 300, "amy", "bank_account_changed", mlm__bank__fingerprint="bk-evil"),
              commerce(t + 900, "amy", "payout_requested", mlm__payout__id="p1", mlm__payout__amount=900.0)]
    alerts = run(det, events)
    by_rule = {a.rule_id: a for a in alerts}
    assert set(by_rule) == {"mlm-ato-login-risk", "mlm-ato-kill-chain-change", "mlm-ato-kill-chain-payout"}
    payout = by_rule["mlm-ato-kill-chain-payout"]
    assert payout.severity == "critical" and payout.entity_value == "amy"
    assert payout.event_ids == [e.id for e in events]
    assert {"attack.t1078", "attack.t1098", "attack.t1657"} <= set(payout.tags)
    assert seconds_of(by_rule["mlm-ato-kill-chain-change"]) == t + 120  # the e-mail change locks the owner out
    assert len(alerts) == 3  # login, first change, payout: not one per change
    assert "new_country" in payout.summary
    assert "odd_hour" in by_rule["mlm-ato-login-risk"].summary


def test_stranger_on_thin_habits_starts_the_chain_without_alerting_alone():
    """One login of history (a traveller seen once abroad looks the same): no alert on the login alone."""
    det = LoginRisk()
    for event in habits(days=1):
        det.observe_baseline(event)
    t = 40 * DAY
    events = [stranger_login(t), audit(t + 60, "amy", "bank_account_changed"),
              commerce(t + 120, "amy", "payout_requested")]
    assert [a.rule_id for a in run(det, events)] == ["mlm-ato-kill-chain-change", "mlm-ato-kill-chain-payout"]


def test_stranger_on_mature_habits_alerts_at_the_login():
    alerts = run(trained(), [stranger_login(40 * DAY)])
    assert [(a.rule_id, a.severity, a.entity_value) for a in alerts] == [("mlm-ato-login-risk", "medium", "amy")]


def test_new_country_and_new_device_alert_from_two_logins_of_history_even_without_network_data():
    """A thin history (two logins, no AS data): a stranger's country and device still alert at the login."""
    det = LoginRisk()
    for event in [login(d * DAY, "amy", country="JP", device="dev-home") for d in range(2)]:
        det.observe_baseline(event)
    thief = login(10 * DAY, "amy", ip="203.0.113.50", country="ZA", device="dev-new")
    assert [(a.rule_id, a.severity) for a in run(det, [thief])] == [("mlm-ato-login-risk", "medium")]


def test_failures_before_a_login_make_it_suspicious_even_from_home():
    det = trained()
    t = 40 * DAY
    events = [login(t + i, "amy", ok=False, ip="203.0.113.8", country="US") for i in range(5)]
    events += [login(t + 10, "amy", country="US", device="dev-home", source__as__number=7922),
               audit(t + 60, "amy", "payout_method_changed"),
               commerce(t + 120, "amy", "payout_requested")]
    rules = [a.rule_id for a in run(det, events)]
    assert rules == ["mlm-ato-kill-chain-change", "mlm-ato-kill-chain-payout"]


def test_usual_login_then_bank_change_and_payout_stays_quiet():
    det = trained()
    t = 40 * DAY
    events = [login(t, "amy", country="US", device="dev-home", source__as__number=7922),
              audit(t + 60, "amy", "bank_account_changed"), commerce(t + 120, "amy", "payout_requested")]
    assert run(det, events) == []


def test_traveller_updating_a_phone_number_is_not_alerted():
    det = trained()
    t = 40 * DAY
    trip = [login(t, "amy", ip="203.0.113.70", country="ES", device="dev-home", source__as__number=3352),
            audit(t + 300, "amy", "phone_changed")]
    assert run(det, trip) == []


def test_traveller_on_own_device_is_not_alerted_alone():
    det = trained()
    trip = login(40 * DAY, "amy", ip="203.0.113.70", country="ES", device="dev-home", source__as__number=3352)
    assert run(det, [trip]) == []


def test_chain_expires_after_hours_and_ignores_staff_actions():
    det = trained()
    t = NIGHT
    # A trip (new country, usual device) starts a six-hour watch; a stranger's login a day-long one.
    trip = [login(t, "amy", ip="203.0.113.70", country="ES", device="dev-home", source__as__number=3352),
            audit(t + 7 * 3600, "amy", "bank_account_changed"), commerce(t + 7 * 3600 + 60, "amy", "payout_requested")]
    assert run(det, trip) == []
    late = [stranger_login(t + DAY), audit(t + 2 * DAY + 60, "amy", "bank_account_changed"),
            commerce(t + 2 * DAY + 120, "amy", "payout_requested")]
    assert [a.rule_id for a in run(det, late)] == ["mlm-ato-login-risk"]
    # A suspicious login (new country and device), then staff changing another account's bank.
    staff = [login(t + 2 * DAY, "amy", country="KE", device="dev-x", source__as__number=1234),
             audit(t + 2 * DAY + 60, "amy", "bank_account_changed", mlm__target__id="bob")]
    assert [a.rule_id for a in run(det, staff)] == ["mlm-ato-login-risk"]


def test_login_risk_model_survives_save_and_load(tmp_path):
    trained().save(tmp_path)
    fresh = LoginRisk()
    assert fresh.load(tmp_path)
    usual = login(40 * DAY, "amy", country="US", device="dev-home", source__as__number=7922)
    assert run(fresh, [usual]) == []
    assert [a.rule_id for a in run(fresh, [stranger_login(NIGHT)])] == ["mlm-ato-login-risk"]
    assert run(LoginRisk(), [stranger_login(NIGHT)]) == []  # no history: nothing is "new"


def test_vpn_exit_country_does_not_count_as_new_country():
    det = trained()
    vpn = login(NIGHT, "amy", ip="203.0.113.9", country="SE", device="dev-laptop2",
                source__as__organization__name="M247 Ltd", source__as__number=9009)
    assert run(det, [vpn]) == []


def test_saved_model_of_another_schema_is_refused(tmp_path):
    trained().save(tmp_path)
    meta = tmp_path / "ato_login_risk" / "meta.json"
    meta.write_text(meta.read_text().replace('"version":1', '"version":0'))
    assert not LoginRisk().load(tmp_path)
    meta.write_text("{not json")
    assert not LoginRisk().load(tmp_path)
