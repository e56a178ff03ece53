"""A household whose joint bank and card were never seen before the family signed up (issue 5).

The parent enrolled before the log history, so nothing says the joint account is theirs; what does is
that spouse and child were enrolled on the parent's own long-used computer with ordinary mail.
"""

from __future__ import annotations

import pytest
from fraud_helpers import DAY, commerce, enroll, run

from detectors.fraud.payments import SharedBankAccounts
from detectors.fraud.rings import LinkedAccounts

SIGNUP = 3 * DAY


def login(seconds: float, dist: str, device: str):
    return commerce(seconds, dist, "login", mlm__device__id=device)


def buy(seconds: float, dist: str, card: str, device: str):
    return commerce(seconds, dist, "order_placed", mlm__order__id=f"o-{dist}-{seconds:.0f}", mlm__order__pv=50.0,
                    mlm__payment__fingerprint=card, mlm__device__id=device)


def family(*, home_since: float = 0.0, device: str = "home-pc", domain: str = "gmail.com", extra: int = 0) -> list:
    """Parent uses the home computer from `home_since`; spouse and child (and `extra` more) join on
    `device` one evening with the parent's joint bank; the child's first order goes on the parent's card."""
    kin = ["spouse", "child"] + [f"kin{i}" for i in range(extra)]
    events = [login(home_since, "parent", "home-pc")]
    events += [enroll(SIGNUP + i * 1200, who, "parent", device=device, bank="joint", domain=domain)
               for i, who in enumerate(kin)]
    events += [buy(SIGNUP + 3000 + 1200 * extra, "child", "parent-card", device),
               buy(SIGNUP + DAY, "parent", "parent-card", "home-pc")]
    return sorted(events, key=lambda e: e.ts)


@pytest.mark.parametrize("home_since", [0.0, SIGNUP - 15 * 3600])  # days before, or the evening before
def test_family_signed_up_on_the_parents_computer_stays_quiet(home_since):
    assert run(LinkedAccounts(), family(home_since=home_since)) == []


@pytest.mark.parametrize("change", [
    {"device": "new-laptop"},          # enrolled from a device new to the parent: a ring's laptop
    {"home_since": SIGNUP + 2 * DAY},  # the parent only used that device after the sign-ups
    {"home_since": SIGNUP - 1800},     # first seen on it in the same sitting as the sign-ups: a new phone
    {"domain": "mailinator.com"},      # throwaway mail: nobody's spouse
    {"extra": 1},                      # four people on one joint account and card: beyond a household
])
def test_without_the_household_evidence_the_same_links_alert(change):
    alerts = run(LinkedAccounts(), family(**change))
    # Throwaway mail on the parent's own long-used computer is also self-enrollment, said first.
    earlier = ["mlm-fraud-self-enrollment"] if change.get("domain") else []
    assert [a.rule_id for a in alerts] == [*earlier, "mlm-fraud-linked-accounts"]
    assert {"spouse", "child", "parent"} <= set(alerts[-1].extra["mlm_siem"]["members"])


def payout(seconds: float, dist: str, bank: str, ip: str):
    return commerce(seconds, dist, "payout_requested", mlm__payout__id=f"po-{dist}", mlm__payout__amount=80.0,
                    mlm__bank__fingerprint=bank, source__ip=ip)


@pytest.mark.parametrize(("payer", "alerts"), [("parent", 0), ("neighbour", 1)])
def test_the_parent_paid_out_to_the_joint_account_is_family_a_stranger_is_not(payer, alerts):
    """The family's third holder shows up by a payout: the parent who enrolled both is family."""
    events = family() + [payout(SIGNUP + 2 * DAY, payer, "joint", "203.0.113.9")]
    found = run(SharedBankAccounts(), sorted(events, key=lambda e: e.ts))
    assert [a.rule_id for a in found] == ["mlm-fraud-shared-bank"] * alerts


def at(event, ip: str):
    """The same event from another address."""
    from core.event import Event

    flat = dict(event.flat)
    flat["source.ip"] = ip
    return Event.from_dict(flat)


@pytest.mark.parametrize(("signup_ip", "alerts"), [("198.51.100.20", 0), ("203.0.113.77", 1)])
def test_family_on_a_computer_never_seen_is_family_when_signed_up_from_the_parents_home(signup_ip, alerts):
    """The parent only ever signed in on a phone from home; spouse and child join on the home computer,
    which the parent first uses that evening. The home address vouches for the computer; a stranger's
    address does not."""
    home = "198.51.100.20"
    events = [at(login(0, "parent", "parent-phone"), home)]
    events += [at(enroll(SIGNUP + i * 1200, who, "parent", device="home-pc", bank="joint"), signup_ip)
               for i, who in enumerate(("spouse", "child"))]
    events.append(at(login(SIGNUP + 6 * 3600, "parent", "home-pc"), home))
    found = run(LinkedAccounts(), events)
    assert [a.rule_id for a in found] == ["mlm-fraud-linked-accounts"] * alerts
