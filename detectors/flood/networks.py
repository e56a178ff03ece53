"""Network keys that cost nothing while one address is all a network sends.

Most networks (a /24, a /64) hold one visitor's address. Such a network's counters are its address's
counters, and it can never alert: its one address makes the whole window (judge.DOMINANT_SHARE), so
the address alert tells the story. Until a second address of the network appears, the address's
state stands for the network (`ip_state.net is SOLO`) and nothing is counted twice; the second
address promotes the network to a state of its own, built from the first address's history, so the
network's windows are exactly those of a network counted from its first request.
"""

from __future__ import annotations

from collections import deque
from itertools import compress
from operator import attrgetter

from detectors.flood.window import DETACHED, EVIDENCE_IDS, SOLO, UNRESOLVED, KeyState, KeyTable

_DETACHED_IS = DETACHED.__eq__
_BUCKET_OF = attrgetter("bucket")


class Networks(KeyTable):
    """Network states with more than one address, and the one address of every other network."""

    def __init__(self, max_keys: int) -> None:
        super().__init__(max_keys)
        self.solos: dict[str, KeyState] = {}  # network -> its only address's state

    def resolve(self, ip_state: KeyState, bucket: float, solo: bool) -> KeyState:
        """The state counting `ip_state`'s network: a network state (held or promoted), or SOLO when
        `solo` is allowed and no other live address of the network is known."""
        network = ip_state.network
        state = self.keys.get(network)
        if state is None:
            owner = self.solos.get(network)
            if solo and (owner is None or owner is ip_state or owner.bucket == DETACHED):
                self._hold_solo(network, ip_state)
                ip_state.net = SOLO
                return SOLO
            state = self.add(promoted(owner, network) if owner is not None and owner.bucket != DETACHED
                             else KeyState(bucket, network))
            if owner is not None:
                del self.solos[network]
                if owner.net is SOLO:
                    owner.net = state
        ip_state.net = state
        return state

    def _hold_solo(self, network: str, ip_state: KeyState) -> None:
        solos = self.solos
        solos[network] = ip_state
        if len(solos) > self.max_keys:  # bounded like the table: the oldest solo re-resolves later
            evicted = solos.pop(next(iter(solos)))
            if evicted.net is SOLO:
                evicted.net = UNRESOLVED

    def sweep(self, bucket: float) -> None:
        """Forget stale networks, and solos whose address was forgotten (the IP table is swept first)."""
        super().sweep(bucket)
        solos = self.solos
        owners = map(_BUCKET_OF, solos.values())
        for network in list(compress(solos, map(_DETACHED_IS, owners))):
            del solos[network]


def promoted(owner: KeyState, network: str) -> KeyState:
    """A network state holding exactly what counting `owner`'s requests under the network gave:
    the same sums, and the address's own count as the busiest address of every bucket."""
    state = KeyState(owner.bucket, network)
    state.packed, state.top_path, state.recent = owner.packed, owner.top_path, owner.recent
    state.requests = state.top_ip = owner.requests
    state.closed = tuple((b, total, packed, total, top_path)  # type: ignore[assignment]
                         for b, total, packed, _, top_path in owner.closed)
    if owner.ids:
        state.ids = deque(owner.ids, maxlen=EVIDENCE_IDS)
    return state
