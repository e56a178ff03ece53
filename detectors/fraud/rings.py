"""Fake-account rings: distributors linked by a shared bank account, payment card or device.

A household shares a bank account or a computer between two or three people; a ring operator
runs many accounts off a few cards, banks and browsers. Linked accounts form connected
components of a graph (networkx) whose nodes are distributors and the identifiers they use.
Network ranges (/24) are deliberately not links: an enrollment meeting shares one venue address.
"""

from __future__ import annotations

from collections import Counter, OrderedDict, deque

import networkx as nx

from core.alert import Alert
from core.event import Event
from detectors.anomaly.alerts import make_alert, short
from detectors.anomaly.state import Suppressor
from detectors.fraud.bursts import throwaway
from detectors.fraud.common import CATEGORY, FAKE_ACCOUNT_TAGS, distributor_of, text

FAMILY_AGE = 86_400.0  # how long an owner must have used an identifier before sharing it is family
# A head's device or address counts as home for recruits they enroll on it when the head used it in a
# sitting before this one (the evening before): a ring's burner phone is new to the sponsor's account.
HOME_AGE = 4 * 3600.0
RING_MIN = 4           # beyond a household of two or three sharing a bank or a computer
TIGHT_MIN = 3          # three accounts sharing two kinds of identifier (a device AND a bank) already
MAX_ADDRESSES = 8     # a member's home, office and phone addresses; more says nothing about a home
HUB_DEGREE = 50        # an identifier shared this widely is infrastructure (a shop terminal), not a ring
MAX_DISTRIBUTORS = 200_000
IDLE = 180 * 86_400.0  # forget distributors whose identifiers were not seen for half a year
NAMES = {"bank": "bank accounts", "pay": "payment cards", "dev": "devices"}
LINK_FIELDS = {
    "distributor_enrolled": (("bank", "mlm.bank.fingerprint"), ("dev", "mlm.device.id")),
    "order_placed": (("pay", "mlm.payment.fingerprint"), ("dev", "mlm.device.id")),
    "bank_account_changed": (("bank", "mlm.bank.fingerprint"),),
    "payout_requested": (("bank", "mlm.bank.fingerprint"),),
    "login": (("dev", "mlm.device.id"),),
}


class LinkedAccounts:
    """Alerts when a component of linked distributors reaches RING_MIN, again when it doubles.

    The doubling rule is the suppression: a growing ring gives log2(size) alerts, not one per member.
    """

    name = "fraud.linked_accounts"
    actions = frozenset(LINK_FIELDS)  # the engine skips every other event (process ignores them)

    def __init__(self) -> None:
        self.graph = nx.Graph()
        self.seen: OrderedDict[str, float] = OrderedDict()  # distributor -> last event time
        self.evidence: dict[str, deque[str]] = {}
        self.sponsor: dict[str, str] = {}
        # distributor -> (device, address, when, throwaway mail) of its sign-up
        self.signup: dict[str, tuple[str | None, str | None, float, bool]] = {}
        self.homes: dict[str, dict[str, float]] = {}  # distributor -> its own addresses, first seen (a few)
        self.born: dict[str, float] = {}  # distributor -> first seen (the ring's first member names it)
        self.alerted: dict[str, int] = {}  # distributor -> component size when last alerted
        self._now = 0.0  # event time of the event being linked (edges remember when they appeared)
        self.self_suppress = Suppressor(2 * 86_400.0)  # one self-enrollment alert per sponsor and two days

    def process(self, event: Event) -> list[Alert]:
        action = event.flat.get("event.action")
        fields = LINK_FIELDS.get(action) if isinstance(action, str) else None
        if not fields or event.flat.get("event.outcome") == "failure" or not isinstance(action, str):
            return []
        dist = self._account(event, action)
        if not dist:
            return []
        links = [(kind, value) for kind, field in fields if (value := text(event, field))]
        previous = text(event, "mlm.bank.previous_fingerprint") if action == "bank_account_changed" else None
        if previous and self.graph.has_edge(("d", dist), ("bank", previous)):
            self.graph.remove_edge(("d", dist), ("bank", previous))  # moved away from that account
        if not links:
            return []
        if action != "distributor_enrolled" and all(self.graph.has_edge(("d", dist), link) for link in links):
            self.seen[dist] = event.ts  # a sign-in on a known device, a known card: nothing new links
            self.seen.move_to_end(dist)
            self._address(dist, event)
            return []
        alerts: list[Alert] = []
        if action == "distributor_enrolled" and (sponsor := text(event, "mlm.sponsor.id")):
            self.sponsor[dist] = sponsor  # forgotten with the node (bounded)
            junk = throwaway(text(event, "mlm.email.domain"))
            self.signup[dist] = (text(event, "mlm.device.id"), text(event, "source.ip"), event.ts, junk)
            if junk and sponsor != dist:
                alerts += self._self_enrolled(dist, sponsor, links, event)
        self._touch(dist, event)
        self._address(dist, event)
        self._now = event.ts
        grew = [self._link(dist, kind, value) for kind, value in links]
        return alerts + self._judge(dist, event) if any(grew) else alerts

    def _self_enrolled(self, dist: str, sponsor: str, links: list[tuple[str, str]], event: Event) -> list[Alert]:
        """A recruit on throwaway mail signed up from the sponsor's own long-used device or into the
        sponsor's own bank account: the sponsor enrolled themselves again (a family member brings
        their own mailbox; nobody who expects commission statements picks a throwaway one)."""
        for kind, value in links:
            edge = self.graph.get_edge_data(("d", sponsor), (kind, value))
            if edge is None or event.ts - edge.get("since", event.ts) < FAMILY_AGE:
                continue
            if not self.self_suppress.allow(sponsor, event.ts):
                return []
            what = "device" if kind == "dev" else "bank account"
            return [make_alert(
                rule_id="mlm-fraud-self-enrollment", rule_name="Sponsor enrolling a throwaway account of their own",
                category=CATEGORY, severity="medium", risk=65, entity=("distributor", sponsor), ts=event.ts,
                evidence=[*self.evidence.get(sponsor, ())][-4:] + [event.id],
                summary=(f"Distributor {short(dist)} joined under {short(sponsor)} with a throwaway mail address "
                         f"from the sponsor's own {what}, used by the sponsor for "
                         f"{int((event.ts - edge['since']) // 86_400)} days."),
                tags=FAKE_ACCOUNT_TAGS, extra={"mlm_siem": {"members": [sponsor, dist]}},
            )]
        return []

    @staticmethod
    def _account(event: Event, action: str) -> str | None:
        """The distributor whose identifiers the event shows: the account acted upon when staff change a
        bank (their own desk is no link), the signed-in account itself for a login."""
        if action == "bank_account_changed" and (target := text(event, "mlm.target.id")):
            return target[:128]
        dist = distributor_of(event)
        if action == "login" and event.flat.get("user.id") != dist:
            return None
        return dist

    def _touch(self, dist: str, event: Event) -> None:
        self.seen[dist] = event.ts
        self.seen.move_to_end(dist)
        self.born.setdefault(dist, event.ts)
        self.evidence.setdefault(dist, deque(maxlen=5)).append(event.id)
        while self.seen and (len(self.seen) > MAX_DISTRIBUTORS or event.ts - next(iter(self.seen.values())) > IDLE):
            self._forget(next(iter(self.seen)))

    def _forget(self, dist: str) -> None:
        self.seen.pop(dist, None)
        self.evidence.pop(dist, None)
        self.sponsor.pop(dist, None)
        self.signup.pop(dist, None)
        self.homes.pop(dist, None)
        self.born.pop(dist, None)
        self.alerted.pop(dist, None)
        node = ("d", dist)
        if node in self.graph:
            ids = list(self.graph.neighbors(node))
            self.graph.remove_node(node)
            self.graph.remove_nodes_from([n for n in ids if self.graph.degree(n) == 0])

    def _link(self, dist: str, kind: str, value: str) -> bool:
        """Add an edge; True when it is new (an identifier at hub size links nothing more)."""
        node, ident = ("d", dist), (kind, value)
        if self.graph.has_edge(node, ident):
            return False
        if ident in self.graph and self.graph.degree(ident) >= HUB_DEGREE:
            return False
        self.graph.add_edge(node, ident, since=self._now)
        return True

    def _operator(self, members: list[str], sponsors: Counter[str]) -> str:
        """Whom the alert names, the same for every alert of one ring (so they make one incident):
        the sponsor over half of them were enrolled under, else the member seen first."""
        top = sponsors.most_common(1)
        if top and 2 * top[0][1] > len(members):
            return top[0][0]
        return min(members, key=lambda m: (self.born.get(m, float("inf")), m))

    def _roots(self, members: list[str]) -> Counter[str]:
        """How many members each outside sponsor brought in, directly or through members they enrolled."""
        ids, roots = set(members), Counter[str]()
        for m in members:
            sponsor, steps = self.sponsor.get(m), 0
            while sponsor in ids and steps < len(ids):  # a sponsor inside the ring is one of its links
                sponsor, steps = self.sponsor.get(sponsor), steps + 1  # type: ignore[arg-type]
            if sponsor and sponsor not in ids:
                roots[sponsor] += 1
        return roots

    def _family_owned(self, ident: tuple[str, str], now: float) -> bool:
        """An identifier its owner has used for a day or more, shared only with people they enrolled
        (or who enrolled them): a parent's computer or joint account used by spouse and children."""
        links = self.graph[ident]
        for node, edge in links.items():
            owner = node[1]
            if now - edge.get("since", now) >= FAMILY_AGE and all(
                    n == node or self.sponsor.get(n[1]) == owner or self.sponsor.get(owner) == n[1] for n in links):
                return True
        return False

    def _household(self, members: list[str]) -> bool:
        """Two or three people: a head and those they enrolled, with ordinary mail, on a device the head
        had used for a day before (a parent signing up spouse and child at home); a ring's devices are new."""
        return len(members) < RING_MIN and any(
            all(m == head or self._enrolled_at_home(m, head) for m in members) for head in members)

    def _enrolled_at_home(self, dist: str, head: str) -> bool:
        """Enrolled by `head` with ordinary mail on the head's long-used device or from the head's
        long-used address (a parent's computer we never saw them use still sits at their home)."""
        device, address, when, junk = self.signup.get(dist, (None, None, 0.0, True))
        if junk or self.sponsor.get(dist) != head:
            return False
        edge = self.graph.get_edge_data(("d", head), ("dev", device)) if device else None
        if edge is not None and when - edge.get("since", when) >= HOME_AGE:
            return True
        since = self.homes.get(head, {}).get(address or "")
        return since is not None and when - since >= HOME_AGE

    def _address(self, dist: str, event: Event) -> None:
        """Remember when the account first used an address of its own (its first MAX_ADDRESSES)."""
        if event.flat.get("user.id") != dist or not (ip := event.flat.get("source.ip")):
            return  # staff acting on an account: their desk is not the member's home
        addresses = self.homes.setdefault(dist, {})
        if ip not in addresses and len(addresses) < MAX_ADDRESSES:
            addresses[str(ip)[:64]] = event.ts

    def _component(self, dist: str, now: float) -> set[tuple[str, str]]:
        """The accounts and identifiers linked to `dist`, household identifiers set aside."""
        component = nx.node_connected_component(self.graph, ("d", dist))
        family = {n for n in component if n[0] != "d" and self.graph.degree(n) >= 2 and self._family_owned(n, now)}
        if not family:
            return component
        view = nx.subgraph_view(self.graph, filter_node=lambda n: n not in family)
        return nx.node_connected_component(view, ("d", dist))

    def _linked_to_few(self, dist: str) -> bool:
        """Whether fewer than TIGHT_MIN accounts are linked to `dist` at all: most new links (a first
        device, a private card) join no one, and this bounded walk spares them the full judgement."""
        adjacency = self.graph._adj  # networkx's own adjacency dict: the walk runs on every new link
        start = ("d", dist)
        seen, todo, accounts = {start}, [start], 0
        while todo:
            node = todo.pop()
            accounts += node[0] == "d"
            if accounts >= TIGHT_MIN:
                return False
            for other in adjacency[node]:
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return True

    def _judge(self, dist: str, event: Event) -> list[Alert]:
        if self._linked_to_few(dist):
            return []
        component = self._component(dist, event.ts)
        members = sorted(n[1] for n in component if n[0] == "d")
        size = len(members)
        before = max((self.alerted.get(m, 0) for m in members), default=0)
        # Only identifiers that link two or more accounts count (a private device links nothing).
        kinds = Counter(n[0] for n in component if n[0] != "d" and self.graph.degree(n) >= 2)
        if size < (TIGHT_MIN if len(kinds) >= 2 else RING_MIN) or size < 2 * before or self._household(members):
            return []
        sponsors = self._roots(members)
        for m in members:
            self.alerted[m] = size
        shared = ", ".join(f"{n} {NAMES[k]}" for k, n in sorted(kinds.items()))
        operator = self._operator(members, sponsors)
        under = f" (most under sponsor {short(operator)})" if operator not in members else ""
        return [make_alert(
            rule_id="mlm-fraud-linked-accounts", rule_name="Ring of distributors sharing banks, cards or devices",
            category=CATEGORY, severity="high" if size >= 2 * RING_MIN else "medium", risk=60 + min(35, 3 * size),
            entity=("distributor", operator), ts=event.ts,
            evidence=[e for m in members for e in self.evidence.get(m, ())][-99:] + [event.id],
            summary=f"{size} distributors{under} are linked through shared identifiers: {shared}.",
            tags=FAKE_ACCOUNT_TAGS,
            extra={"mlm_siem": {"members": members[:50], "size": size}},
        )]
