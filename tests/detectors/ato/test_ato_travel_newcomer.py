"""Impossible travel behind a VPN exit for members without login history: the home login just seen
is the history. Positives over varied gaps and places, and the hard negatives that must stay quiet."""

from __future__ import annotations

import pytest
from ato_helpers import login, run, seconds_of

from detectors.ato.travel import ImpossibleTravel

HOUR, DAY = 3600.0, 86_400.0
PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36"
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/125.0 Safari/537.36"
EXITS = [
    {"ip": "191.237.184.248", "country": "US", "source__as__organization__name": "MICROSOFT-CORP-MSN-AS-BLOCK"},
    {"ip": "111.229.195.95", "country": "CN", "source__as__organization__name": "Shenzhen Tencent Computer Systems"},
    {"ip": "185.220.10.4", "country": "NL", "source__as__organization__name": "M247 Europe SRL"},
]
HOMES = [
    {"ip": "60.62.32.29", "country": "JP", "source__as__organization__name": "JCOM Co., Ltd."},
    {"ip": "149.92.17.56", "country": "BR", "source__as__organization__name": "Claro S.A."},
    {"ip": "81.2.69.160", "country": "GB", "source__as__organization__name": "BT Public Internet Service"},
]


def home(t: float, user: str, place: dict, device: str = "dev-own", agent: str = PHONE):
    return login(t, user, device=device, user_agent__original=agent, **place)


@pytest.mark.parametrize("gap_min", [15, 35, 58])
@pytest.mark.parametrize("case", range(3))
def test_strangers_browser_behind_an_exit_abroad_within_the_hour_of_a_first_login_alerts(case, gap_min):
    place, exit_ = HOMES[case], EXITS[(case + 1) % 3]
    travel = ImpossibleTravel()
    t = 10 * DAY + case * 777
    thief = login(t + gap_min * 60, "new1", device="dev-thief", user_agent__original=DESKTOP, **exit_)
    alerts = run(travel, [home(t, "new1", place), thief])
    assert [(a.rule_id, a.entity_value, seconds_of(a)) for a in alerts] == [
        ("mlm-ato-impossible-travel", "new1", t + gap_min * 60)]
    assert "behind a hosting or VPN exit" in alerts[0].summary and alerts[0].severity == "medium"


def test_more_than_an_hour_after_the_first_login_stays_quiet():
    """Without history, a new browser behind a VPN exit hours later may be the member's own laptop."""
    travel = ImpossibleTravel()
    events = [home(0, "new2", HOMES[0]),
              login(2 * HOUR, "new2", device="dev-laptop", user_agent__original=DESKTOP, **EXITS[2])]
    assert run(travel, events) == []


def test_own_phone_behind_a_consumer_vpn_stays_quiet():
    """Consumer-VPN users keep their device cookie; an app update may change the agent."""
    travel = ImpossibleTravel()
    events = [home(0, "new3", HOMES[1]),
              home(20 * 60, "new3", EXITS[0], agent=PHONE.replace("124.0", "125.0"))]
    assert run(travel, events) == []


def test_new_laptop_through_a_company_vpn_exit_shared_by_colleagues_stays_quiet():
    """A corporate exit abroad that several members sign in through: a new laptop there is a colleague's."""
    travel = ImpossibleTravel()
    for i in range(4):  # colleagues on the exit during the baseline week
        travel.observe_baseline(login(i * DAY, f"col{i}", device=f"dev-c{i}", user_agent__original=DESKTOP,
                                      **EXITS[2]))
    events = [home(6 * DAY, "new4", HOMES[0]),
              login(6 * DAY + 1800, "new4", device="dev-work", user_agent__original=DESKTOP, **EXITS[2])]
    assert run(travel, events) == []
    # The same exit seen with only two members is no company's: a stranger there still alerts.
    quiet_exit = dict(EXITS[2], ip="185.220.10.77")
    travel.observe_baseline(login(DAY, "col0", device="dev-c0", user_agent__original=DESKTOP, **quiet_exit))
    thief = [home(8 * DAY, "new5", HOMES[0]),
             login(8 * DAY + 1800, "new5", device="dev-thief", user_agent__original=DESKTOP, **quiet_exit)]
    assert len(run(travel, thief)) == 1


def test_exit_in_the_home_country_or_next_door_is_a_stranger_behind_a_vpn_not_travel():
    """No travel to claim, yet the same newcomer's case: a never-seen browser behind an exit at home."""
    travel = ImpossibleTravel()
    same = [home(0, "new6", HOMES[2]),
            login(900, "new6", device="dev-x", user_agent__original=DESKTOP, **dict(EXITS[2], country="GB"))]
    near = [home(DAY, "new7", HOMES[2]),
            login(DAY + 900, "new7", device="dev-y", user_agent__original=DESKTOP, **EXITS[2])]  # GB -> NL
    for events, at in ((same, 900), (near, DAY + 900)):
        alerts = run(travel, events)
        assert [(a.rule_id, a.severity, seconds_of(a)) for a in alerts] == [("mlm-ato-stranger-behind-vpn", "medium", at)]
        assert "never seen" in alerts[0].summary
    # The member's own phone behind that exit, or a stranger's browser on a plain home line, is not it.
    own = [home(2 * DAY, "new8", HOMES[2]), home(2 * DAY + 900, "new8", dict(EXITS[2], country="GB"))]
    other_line = [home(3 * DAY, "new9", HOMES[2]),
                  login(3 * DAY + 900, "new9", device="dev-z", user_agent__original=DESKTOP, **HOMES[2])]
    assert run(travel, own) == [] and run(travel, other_line) == []
