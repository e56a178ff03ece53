"""A sponsor enrolling throwaway accounts of their own, and pairs of look-alikes caught at the 2nd sign-up.

Self-enrollment: a recruit on throwaway mail who signs up from the sponsor's own long-used device,
or into the sponsor's own bank account, alerts at that first sign-up. A family member on the same
computer with their own mailbox, and a throwaway sign-up on a device the sponsor only just started
using, stay quiet. A pair sharing a device AND a bank alerts at the second sign-up only with
throwaway mail: with ordinary mail it is a couple.
"""

from __future__ import annotations

import random

import pytest
from fraud_helpers import DAY, commerce, enroll, run, seconds_of

from detectors.fraud.bursts import EnrollmentBursts, throwaway
from detectors.fraud.rings import LinkedAccounts

SIGNUP = 3 * DAY


def login(seconds: float, dist: str, device: str):
    return commerce(seconds, dist, "login", mlm__device__id=device)


def payout(seconds: float, dist: str, bank: str):
    return commerce(seconds, dist, "payout_requested", mlm__payout__id=f"po-{dist}-{seconds:.0f}",
                    mlm__payout__amount=80.0, mlm__bank__fingerprint=bank)


def sponsor_history(days: float, device: str = "boss-phone", bank: str = "boss-bank") -> list:
    """The sponsor's own sign-ins on their phone and a payout to their own account, `days` before SIGNUP."""
    start = SIGNUP - days * DAY
    return [login(start, "boss", device), payout(start + 60, "boss", bank), login(SIGNUP - 600, "boss", device)]


@pytest.mark.parametrize("domain", ["yopmail.com", "mailinator.com", "tempmail.dev", "x.10minutemail.net"])
@pytest.mark.parametrize("shared", ["device", "bank"])
def test_a_throwaway_recruit_on_the_sponsors_own_phone_or_bank_alerts_at_once(domain, shared):
    recruit = enroll(SIGNUP, "n1", "boss", device="boss-phone" if shared == "device" else "new-phone",
                     bank="boss-bank" if shared == "bank" else "n1-bank", domain=domain)
    alerts = run(LinkedAccounts(), [*sponsor_history(days=random.Random(domain).uniform(1.5, 90)), recruit])
    assert [(a.rule_id, a.entity_value, seconds_of(a)) for a in alerts] == [
        ("mlm-fraud-self-enrollment", "boss", SIGNUP)]
    assert recruit.id in alerts[0].event_ids and "throwaway" in alerts[0].summary


@pytest.mark.parametrize(("days", "domain", "sponsor"), [
    (30, "gmail.com", "boss"),          # a spouse or child on the family computer, their own mailbox
    (30, "smith-family.net", "boss"),   # a family domain is no throwaway
    (0.2, "yopmail.com", "boss"),       # the sponsor only just started using that phone: no history to abuse
    (30, "yopmail.com", "other"),       # the phone is the sponsor's, but the recruit joined someone else
])
def test_family_sign_ups_new_devices_and_other_sponsors_are_no_self_enrollment(days, domain, sponsor):
    recruit = enroll(SIGNUP, "n1", sponsor, device="boss-phone", bank="n1-bank", domain=domain)
    alerts = run(LinkedAccounts(), [*sponsor_history(days=days), recruit])
    assert [a for a in alerts if a.rule_id == "mlm-fraud-self-enrollment"] == []


def test_a_sponsor_stuffing_throwaway_accounts_gets_one_alert_not_one_per_account():
    events = sponsor_history(days=20) + [
        enroll(SIGNUP + 900 * i, f"n{i}", "boss", device="boss-phone", bank=f"b{i}", domain="yopmail.com")
        for i in range(6)]
    alerts = run(LinkedAccounts(), events)
    assert sum(a.rule_id == "mlm-fraud-self-enrollment" for a in alerts) == 1


def test_throwaway_names_listed_and_self_describing_services_only():
    assert all(throwaway(d) for d in ("mailinator.com", "YOPMAIL.COM", "tempmail.dev", "my-temp-mail.io",
                                      "trashmail.de", "guerrillamail.net"))
    assert not any(throwaway(d) for d in (None, "", "gmail.com", "outlook.com", "smith-family.net",
                                          "templeton.org", "mail.example.com"))


@pytest.mark.parametrize("seed", range(6))
def test_a_pair_sharing_a_phone_and_a_bank_on_throwaway_mail_alerts_at_the_second(seed):
    """Far apart networks and no chain: the phone, the payout account and the mailbox say one hand."""
    rng = random.Random(seed)
    gap = rng.uniform(120, 3 * 3600)
    first, second = rng.choice(("yopmail.com", "gmail.com")), rng.choice(("tempmail.dev", "mailinator.com"))
    pair = [enroll(0, "n1", "op", device="burner", bank="b1", ip=f"198.51.{rng.randint(0, 99)}.7", domain=first),
            enroll(gap, "n2", "op", device="burner", bank="b1", ip=f"203.0.{rng.randint(0, 99)}.9", domain=second,
                   position=rng.choice(("left", "right")))]
    alerts = run(EnrollmentBursts(), pair)
    assert [(a.entity_value, seconds_of(a)) for a in alerts] == [("op", pytest.approx(gap))]
    assert "a device and a bank account" in alerts[0].summary


@pytest.mark.parametrize(("device2", "bank2", "domain2"), [
    ("burner", "b1", "gmail.com"),        # a couple on one phone and a joint account, their own mail
    ("burner", "b2", "yopmail.com"),      # a phone only, different networks: not enough for a pair
    ("phone2", "b1", "yopmail.com"),      # a bank only
])
def test_a_pair_without_all_three_signs_stays_quiet(device2, bank2, domain2):
    pair = [enroll(0, "n1", "op", device="burner", bank="b1", ip="198.51.100.7", domain="gmail.com"),
            enroll(1800, "n2", "op", device=device2, bank=bank2, ip="203.0.113.9", domain=domain2)]
    assert run(EnrollmentBursts(), pair) == []


def test_a_support_agent_changing_many_members_banks_links_nobody():
    """Staff act on accounts: the changed bank belongs to the account acted upon, not to the agent."""
    events = []
    for i in range(6):
        events.append(commerce(600 * i, "agent-7", "bank_account_changed", event__dataset="mlm.audit",
                               mlm__distributor__id=None, mlm__target__id=f"m{i}", mlm__bank__fingerprint=f"new{i}",
                               mlm__bank__previous_fingerprint=f"old{i}", mlm__device__id="helpdesk-pc"))
        events.append(payout(600 * i + DAY, f"m{i}", f"new{i}"))
    assert run(LinkedAccounts(), sorted(events, key=lambda e: e.ts)) == []


@pytest.mark.parametrize("seed", range(5))
def test_a_phone_coming_back_hours_later_elsewhere_to_enroll_into_the_same_bank_alerts(seed):
    """A slow ring's second account: the first one's phone and payout account, another sitting and place."""
    rng = random.Random(seed)
    gap = rng.uniform(1.2, 30) * 3600
    pair = [enroll(0, "n1", "op", device="burner", bank="b1", ip=f"198.51.{rng.randint(0, 99)}.7",
                   domain=rng.choice(("gmail.com", "web.de"))),
            enroll(gap, "n2", "op", device="burner", bank="b1", ip=f"203.0.{rng.randint(0, 99)}.9",
                   domain=rng.choice(("gmail.com", "outlook.com")))]
    alerts = run(EnrollmentBursts(), pair)
    assert [(a.entity_value, seconds_of(a)) for a in alerts] == [("op", pytest.approx(gap))]
    assert "later from another network" in alerts[0].summary


@pytest.mark.parametrize(("gap", "ip2", "bank2"), [
    (5 * 3600, "198.51.100.7", "b1"),   # the spouse joins that evening at home on the same phone
    (1200, "203.0.113.9", "b1"),        # one sitting: the phone switched from Wi-Fi to mobile data
    (5 * 3600, "203.0.113.9", "b2"),    # another bank account: a friend borrowing the phone
])
def test_a_returning_phone_at_home_in_one_sitting_or_into_another_bank_stays_quiet(gap, ip2, bank2):
    pair = [enroll(0, "n1", "op", device="phone", bank="b1", ip="198.51.100.7"),
            enroll(gap, "n2", "op", device="phone", bank=bank2, ip=ip2)]
    assert run(EnrollmentBursts(), pair) == []
