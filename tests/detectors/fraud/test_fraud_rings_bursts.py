"""Linked-account rings and enrollment bursts: rings found, meetings and households quiet."""

from __future__ import annotations

from fraud_helpers import commerce, enroll, order, run, seconds_of

from detectors.fraud.bursts import EnrollmentBursts
from detectors.fraud.rings import LinkedAccounts


def ring_enrollments(start: float = 0, n: int = 8) -> list:
    """One operator: two laptops, two bank accounts, a throwaway domain, a chain down the left leg."""
    return [enroll(start + i * 90, f"fake{i}", "boss", device=f"laptop{i % 2}", bank=f"bank{i % 3}",
                   ip=f"203.0.113.{i % 3 + 5}", domain="quickmail.biz",
                   parent=f"fake{i - 1}" if i else "boss") for i in range(n)]


def meeting(start: float = 0, n: int = 25) -> list:
    """An enrollment meeting: one venue address, one sponsor, everyone with their own phone and bank."""
    domains = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com"]
    return [enroll(start + i * 300, f"guest{i}", "leader", device=f"phone{i}", bank=f"bank-g{i}",
                   ip="198.51.100.200", domain=domains[i % 4], parent=f"guest{i - 1}" if i else "leader")
            for i in range(n)]


def test_ring_sharing_devices_and_banks_is_one_component_alert():
    alerts = run(LinkedAccounts(), ring_enrollments(n=7))
    assert len(alerts) == 1
    a = alerts[0]
    assert (a.entity_type, a.entity_value) == ("distributor", "boss")  # the ring's sponsor: one incident
    assert a.extra["mlm_siem"]["size"] == 4 and "under sponsor boss" in a.summary
    assert "attack.t1657" in a.tags and a.category == "commission_fraud"
    assert seconds_of(a) == 3 * 90  # the fourth account completes the ring


def test_ring_alerts_again_when_it_doubles():
    alerts = run(LinkedAccounts(), ring_enrollments(n=12))
    assert [a.extra["mlm_siem"]["size"] for a in alerts] == [4, 8]
    assert alerts[1].severity == "high" and alerts[0].severity == "medium"


def test_households_and_meeting_stay_quiet():
    homes = []
    for h in range(50):  # couples sharing a bank account and a computer
        homes += [enroll(h * 10, f"h{h}a", "s1", device=f"pc{h}", bank=f"hb{h}"),
                  enroll(h * 10 + 5, f"h{h}b", f"h{h}a", device=f"pc{h}", bank=f"hb{h}")]
    assert run(LinkedAccounts(), homes + meeting(1000)) == []


def test_shared_card_links_accounts_through_orders():
    events = [enroll(i, f"c{i}", "s9") for i in range(5)]
    events += [order(100 + i, f"c{i}", f"o{i}", 50, card="card-shared") for i in range(5)]
    alerts = run(LinkedAccounts(), events)
    assert len(alerts) == 1 and "payment cards" in alerts[0].summary


def test_private_identifiers_do_not_make_a_tight_ring_and_moving_banks_unlinks():
    """Three on one bank (each with their own devices) is the shared-bank detector's call, not a ring."""
    events = [enroll(i, f"m{i}", "s", bank="mule") for i in range(3)]
    assert run(LinkedAccounts(), events) == []
    det = LinkedAccounts()
    moved = [enroll(i, f"q{i}", "s", bank="joint") for i in range(3)]
    moved.append(commerce(10, "q0", "bank_account_changed", event__dataset="mlm.audit", mlm__bank__fingerprint="own",
                          mlm__bank__previous_fingerprint="joint"))
    moved.append(enroll(20, "q3", "s", bank="joint"))
    assert run(det, moved) == []  # q0 left the joint account: three holders, not four


def test_hub_identifier_stops_linking():
    det = LinkedAccounts()
    shop = [order(i, f"k{i}", f"o{i}", 10, card="shop-terminal") for i in range(200)]
    alerts = run(det, shop)
    assert len(alerts) >= 1  # a card paying 200 accounts is worth one look...
    assert det.graph.degree(("pay", "shop-terminal")) == 50  # ...but the graph stays bounded


def test_burst_of_lookalike_enrollments_alerts_the_sponsor_once():
    alerts = run(EnrollmentBursts(), ring_enrollments(n=10))
    assert len(alerts) == 1
    a = alerts[0]
    assert (a.entity_type, a.entity_value) == ("distributor", "boss")
    assert "quickmail.biz" in a.summary and "devices or banks" in a.summary
    assert seconds_of(a) == 3 * 90  # the fourth enrollment makes it a burst


def test_throwaway_domains_count_as_a_shared_trait():
    burst = [enroll(i * 60, f"t{i}", "boss3", device="one-laptop", ip=f"198.18.{i}.9",
                    domain=("mailinator.com", "guerrillamail.com")[i % 2]) for i in range(4)]
    alerts = run(EnrollmentBursts(), burst)
    assert len(alerts) == 1 and "throwaway mail domains (4)" in alerts[0].summary


def test_enrollment_meeting_at_one_venue_stays_quiet():
    assert run(EnrollmentBursts(), meeting()) == []


def test_slow_recruiting_is_quiet_unless_one_device_runs_the_accounts():
    """A steady recruiter's sign-ups every four hours are no burst; the same pace from one laptop is
    a ring fed slowly (the shared device makes the 36-hour window speak)."""
    steady = [enroll(i * 4 * 3600, f"s{i}", "boss2", domain="quickmail.biz") for i in range(10)]
    assert run(EnrollmentBursts(), steady) == []
    slow = [enroll(i * 4 * 3600, f"r{i}", "boss4", device="same", domain="quickmail.biz") for i in range(10)]
    alerts = run(EnrollmentBursts(), slow)
    assert [(a.entity_value, seconds_of(a)) for a in alerts] == [("boss4", 3 * 4 * 3600)]
    assert "within 36 hours" in alerts[0].summary


def test_graph_state_is_bounded_by_count_and_idle_time(monkeypatch):
    from detectors.fraud import rings

    monkeypatch.setattr(rings, "MAX_DISTRIBUTORS", 10)
    det = LinkedAccounts()
    run(det, [enroll(i, f"b{i}", "s", bank=f"bk{i}") for i in range(100)])
    assert len(det.seen) == 10 and len(det.sponsor) <= 10
    assert det.graph.number_of_nodes() == 10 * 3  # each account with its device and bank
    run(det, [enroll(400 * 86_400, "late", "s")])  # half a year later everything else is forgotten
    assert list(det.seen) == ["late"]
