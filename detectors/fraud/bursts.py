"""Enrollment bursts: sign-ups under one sponsor in hours that look made by one hand.

An enrollment meeting also gives a burst under one sponsor from one venue address, but its
recruits bring their own phones, banks and mail providers. A fake-account ring reuses devices
or banks, picks throwaway mail domains, and stacks the new accounts down one leg (each fake
sponsoring the next). A recruit enrolled by a recruit of the same burst counts in the burst of
the first sponsor (its root), so a chain and a fan are one burst. Each sign is worth points; a
burst alerts when the signs add up to more than a meeting: from four members on three points,
and already at the second or third when they share a device or bank AND use a throwaway mail
domain AND share a device and a bank, a network or a leg (a household shares a computer and a
bank, not a mailinator).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from disposable_email_domains import blocklist

from core.alert import Alert
from core.event import Event
from detectors.anomaly.alerts import make_alert, network_of, short
from detectors.anomaly.state import BoundedMap, SlidingWindow, Suppressor
from detectors.fraud.common import CATEGORY, FAKE_ACCOUNT_TAGS, commerce, distributor_of, text

WINDOW = 3 * 3600.0   # a fast burst: a meeting's or a script's pace
SLOW_WINDOW = 36 * 3600.0  # a ring fed over a day or two shows itself by shared devices or banks
BURST_MIN = 4    # four sign-ups in three hours is busy; the shared traits make it suspicious
SAME_MIN = 4     # how many burst members must share a domain, network or leg for it to count
ALERT_POINTS = 3
SITTING = 3600.0  # a later sign-up on the same device at least this much later is another sitting
SMALL_POINTS = 4  # two or three sign-ups: sharing (2) + throwaway mail (1) + device and bank, network or leg (1)
FREEMAIL = frozenset((
    "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "msn.com",
    "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "gmx.net",
    "web.de", "mail.ru", "yandex.ru", "qq.com", "163.com", "126.com", "zoho.com", "mail.com",
    "yahoo.co.uk", "hotmail.co.uk", "btinternet.com", "comcast.net", "orange.fr", "free.fr",
    "libero.it", "t-online.de", "naver.com", "rediffmail.com", "uol.com.br", "bol.com.br",
))
# Throwaway inboxes: nobody who means to receive commission statements signs up with one. The
# maintained list (disposable-email-domains, ~10k domains) plus a few we name ourselves.
DISPOSABLE = frozenset(blocklist) | frozenset((
    "mailinator.com", "guerrillamail.com", "guerrillamail.net", "sharklasers.com", "10minutemail.com",
    "yopmail.com", "trashmail.com", "temp-mail.org", "tempmail.com", "getnada.com", "dispostable.com",
    "maildrop.cc", "throwawaymail.com", "fakeinbox.com", "mintemail.com", "emailondeck.com", "mohmal.com",
))
# New throwaway services appear weekly and name themselves after what they are (tempmail.dev,
# 10minutemail.net): a label with one of these words is a throwaway inbox even when no list has it yet.
THROWAWAY_WORDS = ("tempmail", "temp-mail", "tmpmail", "throwaway", "trashmail", "disposable", "minutemail",
                   "fakemail", "fakeinbox", "burnermail", "mailinator", "guerrillamail", "yopmail")


def throwaway(domain: str | None) -> bool:
    """A throwaway inbox: on the maintained list, or named like one (any label)."""
    if not domain:
        return False
    domain = domain.lower()
    return domain in DISPOSABLE or any(word in domain for word in THROWAWAY_WORDS)


@dataclass(frozen=True, slots=True)
class Enrollment:
    event_id: str
    distributor: str
    device: str | None
    bank: str | None
    network: str | None
    domain: str | None
    parent: str | None
    position: str | None


class EnrollmentBursts:
    """Alerts once per sponsor and two days on a burst of enrollments that share a maker's traits."""

    name = "fraud.enrollment_bursts"
    datasets = frozenset({"mlm.commerce"})  # the engine skips every other event (process ignores them)
    actions = frozenset({"distributor_enrolled"})

    def __init__(self) -> None:
        self.sponsors: BoundedMap[str, SlidingWindow[Enrollment]] = BoundedMap(100_000, SLOW_WINDOW)
        self.roots: BoundedMap[str, str] = BoundedMap(100_000, SLOW_WINDOW)  # recent recruit -> its burst's sponsor
        self.domains: Counter[str] = Counter()
        self.total = 0
        self.suppress = Suppressor(2 * 86_400.0)  # one alert per ring for longer than the slow window

    def process(self, event: Event) -> list[Alert]:
        if not commerce(event, "distributor_enrolled"):
            return []
        sponsor, dist = text(event, "mlm.sponsor.id"), distributor_of(event)
        if not sponsor or not dist:
            return []
        domain = (text(event, "mlm.email.domain") or "").lower() or None
        self._count_domain(domain)
        item = Enrollment(event.id, dist, text(event, "mlm.device.id"), text(event, "mlm.bank.fingerprint"),
                          network_of(event.flat.get("source.ip")), domain,
                          text(event, "mlm.placement.parent_id"), text(event, "mlm.placement.position"))
        sponsor = self.roots.get(sponsor, event.ts) or sponsor  # a recruit's recruit joins the root's burst
        if dist != sponsor:
            self.roots.put(dist, event.ts, sponsor)
        burst = self.sponsors.setdefault(sponsor, event.ts, lambda: SlidingWindow(SLOW_WINDOW, 500))
        burst.add(event.ts, item)
        found = self._judge(sponsor, [m for ts, m in burst.items if event.ts - ts <= WINDOW], WINDOW)
        if found is None:  # slower: only a group tied by shared devices or banks counts
            found = self._judge(sponsor, burst.values(), SLOW_WINDOW, linked_only=True)
        if found is None:
            found = _returning(item, event.ts, burst.items)
        if found is None or not self.suppress.allow(sponsor, event.ts):
            return []
        members, points, signs, span = found
        return [make_alert(
            rule_id="mlm-fraud-enrollment-burst", rule_name="Burst of look-alike enrollments under one sponsor",
            category=CATEGORY, severity="high", risk=70 + min(25, 5 * (points - ALERT_POINTS) + len(members)),
            entity=("distributor", sponsor), ts=event.ts, evidence=[m.event_id for m in members][-100:],
            summary=(f"{len(members)} distributors joined under sponsor {short(sponsor)} (or their recruits) "
                     f"within {int(span // 3600)} hours sharing {'; '.join(signs)}."),
            tags=FAKE_ACCOUNT_TAGS,
            extra={"mlm_siem": {"members": [m.distributor for m in members][:50], "signs": signs}},
        )]

    def _judge(self, sponsor: str, members: list[Enrollment], span: float,
               linked_only: bool = False) -> tuple[list[Enrollment], int, list[str], float] | None:
        """(members, points, signs, span) when these enrollments add up to a ring, else None."""
        if len(members) < 2:
            return None
        points, signs = self.signs(sponsor, members)
        if not self._enough(len(members), points, signs):
            return None
        if linked_only and not signs[0].startswith("devices or banks"):
            return None
        return members, points, signs, span

    @staticmethod
    def _enough(size: int, points: int, signs: list[str]) -> bool:
        """Three points from four members on; a small burst needs four, throwaway mail among them."""
        if size >= BURST_MIN:
            return points >= ALERT_POINTS
        return points >= SMALL_POINTS and any(s.startswith("throwaway") for s in signs)

    def _count_domain(self, domain: str | None) -> None:
        self.total += 1
        if domain and (domain in self.domains or len(self.domains) < 20_000):
            self.domains[domain] += 1

    def common_domain(self, domain: str) -> bool:
        """Mass-market mail providers, named or learned (over 2% of all enrollments seen)."""
        return domain in FREEMAIL or (self.total >= 200 and self.domains[domain] / self.total >= 0.02)

    def signs(self, sponsor: str, members: list[Enrollment]) -> tuple[int, list[str]]:
        """Points and descriptions of the traits the burst's members share."""
        points, signs = 0, []
        size = len(members)
        # Couples share a phone and an account in pairs; one hand links three or more together.
        group = _linked_group(members)
        if len(group) >= min(3, size):
            points, signs = 2, [f"devices or banks among {len(group)} of them"]
            if size < BURST_MIN and _device_and_bank(group):  # one hand's phone AND its payout account
                points, signs = points + 1, signs + ["a device and a bank account"]
        domains = Counter(m.domain for m in members if m.domain and not self.common_domain(m.domain))
        junk = sum(n for d, n in domains.items() if throwaway(d))
        if size < BURST_MIN:  # a small burst: the look-alikes themselves must use throwaway mail
            junk = sum(1 for m in group if throwaway(m.domain))
        if junk >= (1 if size < BURST_MIN else 2):
            points, signs = points + 1, signs + [f"throwaway mail domains ({junk})"]
        elif domains and (top := domains.most_common(1)[0])[1] >= SAME_MIN:
            points, signs = points + 1, signs + [f"mail domain {short(top[0])} ({top[1]})"]
        nets = Counter(m.network for m in members if m.network)
        if nets and (net := nets.most_common(1)[0])[1] >= min(SAME_MIN, size):
            points, signs = points + 1, signs + [f"network {net[0]} ({net[1]})"]
        stacked = _stacked(members)
        if stacked >= min(SAME_MIN, max(3, size)):
            points, signs = points + 1, signs + [f"a chain of {stacked} placed down one leg"]
        return points, signs


def _linked_group(members: list[Enrollment]) -> list[Enrollment]:
    """The largest group of members tied together by shared devices or bank accounts."""
    owner: dict[tuple[str, str], int] = {}
    parent = list(range(len(members)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for index, m in enumerate(members):
        for ident in (("d", m.device), ("b", m.bank)):
            if ident[1] is None:
                continue
            if ident in owner:
                parent[find(index)] = find(owner[ident])  # type: ignore[index]
            else:
                owner[ident] = index  # type: ignore[index]
    groups = Counter(find(i) for i in range(len(members)))
    root, size = groups.most_common(1)[0]
    return [m for i, m in enumerate(members) if find(i) == root] if size > 1 else []


def _returning(item: Enrollment, now: float,
               burst: Iterable[tuple[float, Enrollment]]) -> tuple[list[Enrollment], int, list[str], float] | None:
    """A device that enrolled an account in this burst comes back in a later sitting, from another
    network, to enroll another one paid into the same bank account: one hand feeding a ring slowly. A
    couple signs up together at home (one sitting, one network); a meeting shares one venue."""
    if not (item.device and item.bank and item.network):
        return None
    for ts, m in burst:
        if (m is not item and m.device == item.device and m.bank == item.bank and m.network
                and m.network != item.network and now - ts >= SITTING):
            hours = max(1, int((now - ts) // 3600))
            sign = (f"devices or banks among 2 of them: one device and bank account enrolling again {hours} h "
                    "later from another network")
            return [m, item], ALERT_POINTS, [sign], now - ts
    return None


def _device_and_bank(group: list[Enrollment]) -> bool:
    """Whether the group shares a device and also a bank account (a couple shares one or the other
    at home, and then uses its own mail; see `signs` for why the pair still needs throwaway mail)."""
    devices = Counter(m.device for m in group if m.device)
    banks = Counter(m.bank for m in group if m.bank)
    return max(devices.values(), default=0) >= 2 and max(banks.values(), default=0) >= 2


def _stacked(members: list[Enrollment]) -> int:
    """The longest chain of members each placed under the one before (a leg built by one hand)."""
    parents = {m.distributor: m.parent for m in members}
    longest = 0
    for m in members:
        length, node = 1, m.parent
        while node in parents and length < 50:  # 50 bounds the walk; a loop of ids cannot spin
            length, node = length + 1, parents[node]
        longest = max(longest, length)
    return longest if longest > 1 else 0
