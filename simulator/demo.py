"""Demo traffic for `mlm-siem up`: a trickle of ordinary visitors and, now and then, an attack.

This drives the running MLM app over HTTP so the dashboard fills with live events and incidents.
Every loop is bounded and stops on `stop`; the traffic is seeded so two demos look alike.
"""

from __future__ import annotations

import random
import threading

import httpx

SEARCHES = ["vitamin", "protein shake", "O'Brien's tea", "<b>bold</b> serum", "select bundle", "drop-in kit"]
PROBES = ["' OR '1'='1", "1 UNION SELECT username, password FROM users--", "<script>alert(1)</script>",
          "../../../../etc/passwd", "; cat /etc/passwd", "{{7*7}}"]


def _benign(client: httpx.Client, rng: random.Random) -> None:
    choice = rng.random()
    if choice < 0.5:
        client.get("/shop", params={"q": rng.choice(SEARCHES)})
    elif choice < 0.8:
        client.get("/")
    else:
        client.post("/login", data={"username": f"visitor{rng.randint(1, 400)}", "password": "not-it"})


def _attack(client: httpx.Client, rng: random.Random) -> None:
    kind = rng.choice(["brute_force", "injection"])
    if kind == "brute_force":
        victim = f"distributor{rng.randint(1, 50)}"
        for _ in range(12):
            client.post("/login", data={"username": victim, "password": f"guess{rng.randint(0, 10**6)}"})
    else:
        for probe in PROBES:
            client.get("/shop", params={"q": probe})


def run_demo(app_url: str, stop: threading.Event, seed: int = 7, attack_every: float = 20.0) -> None:
    """Send benign requests continuously and an attack wave every `attack_every` seconds."""
    rng = random.Random(seed)
    with httpx.Client(base_url=app_url, timeout=5.0, follow_redirects=False) as client:
        next_attack = 0.0
        clock = 0.0
        while not stop.is_set():
            try:
                if clock >= next_attack:
                    _attack(client, rng)
                    next_attack = clock + attack_every
                _benign(client, rng)
            except httpx.HTTPError:
                pass  # the app may be restarting; keep the demo going
            pause = rng.uniform(0.05, 0.4)
            stop.wait(pause)
            clock += pause
