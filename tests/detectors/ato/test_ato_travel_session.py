"""Impossible travel and session hijack: positives and the benign crowds that must stay quiet."""

from __future__ import annotations

from ato_helpers import login, run, seconds_of
from builders import make_event

from detectors.ato import session as session_module
from detectors.ato.session import SessionHijack
from detectors.ato.travel import ImpossibleTravel

HOUR = 3600.0


def test_login_from_far_country_minutes_later_alerts():
    events = [login(0, "amy", country="DE", device="d1"),
              login(30 * 60, "amy", ip="203.0.113.99", country="BR", device="d9")]
    alerts = run(ImpossibleTravel(), events)
    assert len(alerts) == 1
    a = alerts[0]
    assert (a.entity_type, a.entity_value) == ("user", "amy") and "attack.t1078" in a.tags
    assert a.event_ids == [events[0].id, events[1].id]
    assert seconds_of(a) == 30 * 60
    assert "DE then BR" in a.summary


def test_real_traveller_at_flight_speed_stays_quiet():
    events = [login(0, "bob", country="GB", device="d1"),
              login(9 * HOUR, "bob", country="US", device="d2")]  # ~7,000 km in 9 h
    assert run(ImpossibleTravel(), events) == []


def test_neighbouring_country_by_train_stays_quiet():
    events = [login(0, "cat", country="DE", device="d1"), login(HOUR, "cat", country="AT", device="d2")]
    assert run(ImpossibleTravel(), events) == []


def test_vpn_operator_and_same_device_hops_stay_quiet():
    vpn = [login(0, "dan", country="US", device="d1"),
           login(600, "dan", country="NL", device="d2", source__as__organization__name="NordVPN Ltd")]
    same_browser = [login(0, "eve", country="US", device="d1"), login(600, "eve", country="JP", device="d1")]
    assert run(ImpossibleTravel(), vpn) == []
    assert run(ImpossibleTravel(), same_browser) == []


def test_users_usual_second_country_stays_quiet():
    det = ImpossibleTravel()
    habits = [login(i * 2 * 86_400.0 + (0 if i % 2 else 86_400), "fay", country="FR" if i % 2 else "CA",
                    device=f"d{i % 2}") for i in range(6)]
    assert run(det, habits) == []
    start = 20 * 86_400.0
    hop = [login(start, "fay", country="FR", device="d1"), login(start + 1800, "fay", country="CA", device="d0")]
    assert run(det, hop) == []


def test_travel_profiles_survive_save_and_load(tmp_path):
    det = ImpossibleTravel()
    det.observe_baseline(login(0, "gus", country="FR", device="d1"))
    det.observe_baseline(login(86_400, "gus", country="CA", device="d2"))
    det.save(tmp_path)
    fresh = ImpossibleTravel()
    assert fresh.load(tmp_path)
    hop = [login(2 * 86_400, "gus", country="FR", device="d1"), login(2 * 86_400 + 600, "gus", country="CA",
                                                                      device="d3")]
    assert run(fresh, hop) == []
    assert len(run(ImpossibleTravel(), hop)) == 1  # without the learned habit it is impossible


def request(seconds: float, sid: str, ip: str, agent: str, user: str = "amy", device: str | None = None):
    return make_event(seconds, event__dataset="mlm.http", event__action="http_request", event__category=["web"],
                      event__type=["access"], mlm__session__id=sid, source__ip=ip, user_agent__original=agent,
                      user__id=user, mlm__device__id=device, url__path="/dashboard")


def test_session_replayed_from_new_address_and_browser_alerts_once():
    events = [request(i, "s1", "198.51.100.7", "Firefox/120") for i in range(5)]
    events += [request(100 + i, "s1", "203.0.113.66", "curl/8.1") for i in range(5)]
    alerts = run(SessionHijack(), events)
    assert len(alerts) == 1
    a = alerts[0]
    assert (a.entity_type, a.entity_value) == ("user", "amy")
    assert {"attack.t1539", "attack.t1550.004"} <= set(a.tags)
    assert seconds_of(a) == 100


def test_roaming_phone_and_browser_update_stay_quiet():
    roaming = [request(0, "s2", "198.51.100.7", "Mobile Safari"), request(60, "s2", "203.0.113.5", "Mobile Safari")]
    update = [request(0, "s3", "198.51.100.7", "Chrome/119"), request(60, "s3", "198.51.100.7", "Chrome/120")]
    assert run(SessionHijack(), roaming + update) == []


def test_new_device_id_counts_as_new_client():
    events = [request(0, "s4", "198.51.100.7", "UA", device="d1"), request(60, "s4", "203.0.113.5", "UA", device="d2")]
    assert len(run(SessionHijack(), events)) == 1


def test_expired_session_state_is_forgotten():
    det = SessionHijack()
    run(det, [request(0, "s5", "198.51.100.7", "UA")])
    assert run(det, [request(2 * 86_400, "s5", "203.0.113.5", "Other")]) == []


def test_idle_sessions_leave_memory_and_at_the_cap_the_least_recently_used_go(monkeypatch):
    monkeypatch.setattr(session_module, "MAX_SESSIONS", 20)
    monkeypatch.setattr(session_module, "SWEEP_FLOOR", 8)
    det = SessionHijack()
    run(det, [request(i, f"s{i}", "198.51.100.7", "UA") for i in range(20)])
    run(det, [request(30, "s0", "198.51.100.7", "UA"), request(40, "fresh", "198.51.100.7", "UA")])
    assert {"s0", "fresh", "s19"} <= set(det.sessions) and not {"s1", "s2"} & set(det.sessions)
    assert len(det.sessions) <= 20
    # A new session a day apart, a hundred times: day-idle ones are swept, the table stays small.
    run(det, [request(2 * 86_400 * (1 + day), f"day{day}", "198.51.100.7", "UA") for day in range(100)])
    assert len(det.sessions) <= 8 and "day99" in det.sessions and "s0" not in det.sessions
    # A session still in use is kept however old it is, and still judged.
    alive = SessionHijack()
    run(alive, [request(h * 3600, "s9", "198.51.100.7", "UA") for h in range(30)])
    assert len(run(alive, [request(30 * 3600, "s9", "203.0.113.5", "Other")])) == 1


def test_the_password_step_and_logout_are_not_uses_of_the_session():
    """Routed past login and logout events; fed them anyway (unrouted), it learns nothing from them."""
    assert not {"login", "logout", "session_revoked"} & SessionHijack.actions
    assert {"http_request", "mfa_verify", "bank_account_changed"} <= SessionHijack.actions
    signin = login(0, "amy", ip="198.51.100.7", mlm__session__id="s6", user_agent__original="Firefox/120")
    uses = [request(5, "s6", "198.51.100.7", "Firefox/120"), request(60, "s6", "203.0.113.66", "curl/8.1")]
    alerts = run(SessionHijack(), [signin, *uses])
    assert [a.event_ids for a in alerts] == [[uses[0].id, uses[1].id]]
    logout = make_event(70, event__dataset="mlm.auth", event__action="logout", mlm__session__id="s7",
                        source__ip="203.0.113.9", user__id="amy")
    assert run(SessionHijack(), [logout, request(80, "s7", "198.51.100.7", "Other")]) == []


def test_a_session_id_that_is_not_a_string_is_cut_to_one_not_a_crash():
    det = SessionHijack()
    odd = request(0, "s10", "198.51.100.7", "UA")
    odd.flat["mlm.session.id"] = ["not", "hashable"]  # as an unvalidated producer might send it
    assert run(det, [odd]) == [] and "['not', 'hashable']" in det.sessions
    long_id = "x" * 5000
    run(det, [request(1, long_id, "198.51.100.7", "UA")])
    assert len(run(det, [request(60, long_id, "203.0.113.5", "Other")])) == 1  # the cut id is the same session
    assert max(len(sid) for sid in det.sessions) <= 256
