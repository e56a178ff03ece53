"""Everyone who is not a signed-in member, and the benign crowds that look like attacks."""

from __future__ import annotations

import random

from simulator.alt.benign import ASSETS, SITE, visit
from simulator.alt.business import Book, place_order, uplines
from simulator.alt.emit import Who, Writer
from simulator.alt.net import Net
from simulator.alt.people import AGENTS, Member, keyed, new_device, new_member
from simulator.attacks import Truth

SOCIAL = (
    "https://l.facebook.com/",
    "https://www.instagram.com/",
    "https://t.co/",
    "https://www.google.com/",
    "https://wa.me/",
    None,
)
BOTS = {
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)": "66.249.66.{n}",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)": "157.55.39.{n}",
}
CRAWL = (
    "/",
    "/shop",
    "/shop/promo",
    "/enroll",
    "/robots.txt",
    "/sitemap.xml",
    "/products/aloe-gel",
    "/products/omega-3",
    "/old-catalog.html",
    "/wp-login.php",
    "/blog/2019/success-story",
)


def enroll(
    w: Writer,
    rng: random.Random,
    net: Net,
    book: Book,
    sponsor: Member,
    who: Who,
    ts: float,
    country: str | None = None,
    bank: str | None = None,
    card: str | None = None,
    domain: str | None = None,
) -> Member:
    """A prospect fills in the enrolment form under a sponsor and buys a starter kit."""
    member = new_member(rng, net, len(book.members) + 1, sponsor, country=country, archetype="hobbyist")
    member.bank, member.card = bank or member.bank, card or member.card
    member.email_domain = domain or member.email_domain
    book.add(member)
    sponsor.downline.append(member.id)
    book.enrolled[member.id] = (sponsor.id, ts)
    w.hit(ts, who, "GET", "/enroll", query=f"sponsor={sponsor.id}", referrer=rng.choice(SOCIAL))
    ts += rng.uniform(90, 400)
    w.event(
        ts,
        "mlm.commerce",
        "distributor_enrolled",
        who,
        mlm__distributor__id=member.id,
        user__id=member.id,
        mlm__sponsor__id=sponsor.id,
        mlm__placement__parent_id=sponsor.id,
        mlm__placement__position="left" if rng.random() < 0.5 else "right",
        mlm__plan="unilevel",
        mlm__email__domain=member.email_domain,
        mlm__email__fingerprint=keyed("email", member.username),
        mlm__bank__fingerprint=member.bank,
    )
    w.hit(
        ts + 0.1,
        who,
        "POST",
        "/enroll",
        303,
        body=f"csrf_token={w.token(64)}&sponsor={sponsor.id}&"
        f"email=[REDACTED]&password=[REDACTED]&plan=unilevel",
    )
    signed = Who(who.ip, who.agent, who.device, member.id, member.username, w.token())
    place_order(
        w, rng, book, member, signed, ts + rng.uniform(60, 300), amount=rng.choice((49.0, 99.0, 199.0))
    )
    return member


def prospects(
    w: Writer, rng: random.Random, net: Net, book: Book, members: list[Member], day_start: float, count: int
) -> None:
    """Anonymous visitors from social links; a few enrol."""
    recruiters = [m for m in members if m.archetype in ("builder", "leader")] or members
    for _ in range(count):
        country = net.country_of_choice(rng)
        who = Who(
            net.mobile_ip(rng, country) if rng.random() < 0.5 else net.home_ip(rng, country),
            rng.choice(AGENTS).format(a=rng.randint(1, 6)),
            None,
        )
        ts = day_start + rng.uniform(0, 86_000)
        w.hit(ts, who, "GET", rng.choice(("/", "/shop/promo", "/enroll/link")), referrer=rng.choice(SOCIAL))
        who.device = f"{rng.getrandbits(96):024x}"
        for asset in ASSETS[: rng.randint(0, 4)]:
            w.hit(ts + rng.uniform(0.1, 1), who, "GET", asset, referrer=SITE + "/")
        if rng.random() < 0.08:
            members.append(enroll(w, rng, net, book, rng.choice(recruiters), who, ts + rng.uniform(20, 200)))


def crawlers(w: Writer, rng: random.Random, day_start: float) -> None:
    """Search engines: hours of steady fetching, old links that 404, robots.txt."""
    for agent, pattern in BOTS.items():
        ip = pattern.format(n=rng.randint(1, 250))
        ts = day_start + rng.uniform(0, 30_000)
        for _ in range(rng.randint(300, 900)):
            ts += rng.expovariate(1 / 25)
            path = rng.choice(CRAWL)
            status = (
                404 if path in ("/old-catalog.html", "/wp-login.php", "/blog/2019/success-story") else 200
            )
            w.hit(
                ts,
                Who(ip, agent),
                "GET",
                path,
                status,
                query=f"page={rng.randint(2, 40)}" if path == "/shop" and rng.random() < 0.4 else None,
            )


def plan_trips(
    rng: random.Random, net: Net, members: list[Member], first_days: list[int], length: int
) -> dict[str, tuple[str, int, int]]:
    """Members flying abroad with their usual phone: member -> (country, first day abroad, last day)."""
    trips = {}
    for first, member in zip(first_days, rng.sample(members, len(first_days))):
        abroad = rng.choice([c for c in net.countries if c != member.country])
        trips[member.id] = (abroad, first, first + length - 1)
    return trips


def flash_crowd(
    w: Writer,
    rng: random.Random,
    net: Net,
    book: Book,
    members: list[Member],
    ts: float,
    size: tuple[int, int] = (600, 1500),
) -> Truth:
    """A promo blast: members and strangers land within minutes from social links, with assets."""
    arrivals = rng.randint(*size)
    spread = rng.uniform(300, 900)
    for _ in range(arrivals):
        at = ts + rng.expovariate(4 / spread)
        if rng.random() < 0.5:
            member = rng.choice(members)
            who = Who(
                net.mobile_ip(rng, member.country),
                member.devices[0].agent,
                member.devices[0].id,
                member.id,
                member.username,
                keyed("sess", f"{member.id}/{member.devices[0].id}")[:32],
            )
        else:
            device = new_device(rng)
            who = Who(net.mobile_ip(rng, net.country_of_choice(rng)), device.agent, None)
        w.hit(
            at,
            who,
            "GET",
            "/shop/promo",
            query="utm_source=instagram&utm_campaign=blackfriday",
            referrer=rng.choice(SOCIAL[:3]),
        )
        for asset in ASSETS[: rng.randint(1, 4)]:
            w.hit(at + rng.uniform(0.05, 0.8), who, "GET", asset, referrer=SITE + "/shop/promo")
        if who.user_id and rng.random() < 0.3:
            place_order(
                w, rng, book, next(m for m in members if m.id == who.user_id), who, at + rng.uniform(60, 300)
            )
    kind = "flash_crowd" if size[1] <= 1500 else "flash_crowd_tv_mention"
    return Truth("", "benign", kind, [], ts, ts + spread * 3, {"arrivals": arrivals})


def enrollment_meeting(
    w: Writer, rng: random.Random, net: Net, book: Book, members: list[Member], ts: float
) -> Truth:
    """An opportunity meeting at a hotel: a leader signs up a room of guests on the venue wifi."""
    host = next((m for m in members if m.archetype == "leader"), members[0])
    venue = net.home_ip(rng, host.country)
    joined = []
    for _ in range(rng.randint(12, 45)):
        device = new_device(rng)
        who = Who(venue, device.agent, device.id)
        joined.append(enroll(w, rng, net, book, host, who, ts + rng.uniform(0, 5400), country=host.country))
    members.extend(joined)
    return Truth("", "benign", "enrollment_meeting", [venue, host.id] + [m.id for m in joined], ts, ts + 6000)


def big_buyers(
    w: Writer, rng: random.Random, net: Net, book: Book, members: list[Member], close: float
) -> Truth:
    """Honest end-of-month buying: leaders stock up hours before the close to hold their rank."""
    buyers = rng.sample([m for m in members if m.archetype in ("leader", "builder")], 6)
    for member in buyers:
        device = member.devices[0]
        who = Who(member.home_ip, device.agent, device.id, member.id, member.username, w.token())
        at = close - rng.uniform(1, 10) * 3600
        for _ in range(rng.randint(1, 3)):
            at += rng.uniform(60, 900)
            place_order(
                w,
                rng,
                book,
                member,
                who,
                at,
                amount=float(rng.choice((600, 900, 1500, 2400))),
                items=rng.randint(8, 30),
            )
    paid = [s for m in buyers for s in uplines(book, m)]
    return Truth(
        "",
        "benign",
        "end_of_month_big_buyer",
        [m.id for m in buyers] + paid,
        close - 36_000,
        close,
        {"uplines_paid_on_it": paid},
    )


def spouse_bank(w: Writer, rng: random.Random, members: list[Member], ts: float) -> Truth:
    """A couple moves both memberships to their new joint account the same evening."""
    wife = rng.choice([m for m in members if m.spouse])
    husband = next(m for m in members if m.id == wife.spouse)
    joint = keyed("bank", f"joint/{wife.id}/{ts}")
    for offset, member in ((0.0, wife), (rng.uniform(60, 1800), husband)):
        device = member.devices[0]
        who = Who(member.home_ip, device.agent, device.id, member.id, member.username, w.token())
        w.event(
            ts + offset,
            "mlm.audit",
            "bank_account_changed",
            who,
            mlm__bank__fingerprint=joint,
            mlm__bank__previous_fingerprint=member.change_bank(ts + offset, joint),
            mlm__target__id=member.id,
        )
    return Truth("", "benign", "spouses_share_bank", [wife.id, husband.id], ts, ts + 1800)


def new_phone(w: Writer, rng: random.Random, net: Net, book: Book, member: Member, ts: float) -> Truth:
    """A member on a brand-new phone: often a password reset first, then a normal visit from home."""
    phone = new_device(rng)
    member.devices.insert(0, phone)
    who = Who(member.home_ip, phone.agent, phone.id)
    if rng.random() < 0.6:
        w.event(
            ts,
            "mlm.auth",
            "password_reset_requested",
            Who(who.ip, who.agent, who.device, member.id, member.username),
        )
        ts += rng.uniform(60, 600)
        w.event(
            ts,
            "mlm.auth",
            "password_reset_completed",
            Who(who.ip, who.agent, who.device, member.id, member.username),
        )
    end = visit(w, rng, net, book, member, ts + rng.uniform(20, 120), 3)
    return Truth("", "benign", "new_phone", [member.id], ts, end)
