"""Generated benign MLM traffic text: the hard negatives an injection detector must stay quiet on.

Names with apostrophes, quoted sizes, product names with markup, SQL and shell words used as
English, emails, addresses, prices, math, search terms, support messages, order JSON bodies.
"""

from __future__ import annotations

import random
from urllib.parse import quote_plus

import orjson

FIRST = ["Amy", "Bob", "Siobhan", "José", "Zoë", "Li", "Nguyễn", "Fatima", "Olu", "Marie-Claire", "D'Andre",
         "Ren", "Chloé", "Seán", "Anne", "Jean-Luc", "Ma'ayan", "Kyle", "Dana", "Pat"]
LAST = ["O'Brien", "D'Angelo", "O'Neil-Smith", "McDonald", "van der Berg", "Smith", "García", "Ng", "Müller",
        "St. John", "Al-Hassan", "N'Diaye", "Kowalski", "L'Estrange", "Dell'Acqua", "O'Connor", "Brown"]
PRODUCTS = ["Vitamin C 500mg", "Omega-3 Fish Oil (90 caps)", "Protein Shake - Vanilla", "<b>NEW</b> Glow Serum",
            "Detox Tea 12\" tin", "Collagen+ Boost", "Kids' Multivitamin", "Men's Energy Pack", "Aloe Vera Gel 8 oz.",
            "Mom's Choice™ Bundle", "Green Tea & Ginseng", "Salt & Pepper Grinder", "Cat & Dog Treats",
            "Head & Shoulders", "Sleep Aid 5mg", "Echo Dot Bundle", "Drop Table Lamp", "Union Jack Mug",
            "Select Reserve Coffee", "\"Ultimate\" Starter Kit", "Top 10% Seller Pack", "Q&A Guide",
            "R&D Formula #7", "<i>Limited</i> Edition", "Essential Oils 3-Pack", "Keto Bars (12 x 40g)",
            "Size 5'10\" Yoga Mat", "Shoes, size 9½", "Café Crème", "Rock'n'Roll Tee", "C++ for Beginners",
            "Ping Pong Set", "Cat Tree <XL>", "Tom & Jerry Mug", "Fish & Chips Seasoning", "Black & Decker Drill"]
SEARCH = ["shoes", "vitamin c", "cheap protein", "o'brien", "select plan", "drop shipping", "union bank",
          "order by date", "delete account", "update address", "insert coupon", "where is my order",
          "sleep 8 hours", "cat food", "ping me", "echo show", "2+2=4", "x<5 and y>3", "5 > 3", "100% natural",
          "20% off!!", "#1 best seller", "--- limited offer ---", "buy 2, get 1 free", "size: M; color: red",
          "a || b", "c# course", "rock & roll", "dog & cat toys", "salt; pepper", "1/2 price", "what's new",
          "don't miss", "\"free shipping\"", "bob's", "it's 5' tall", "10\" screen", "from 1 to 10",
          "select all products", "<3 love it", ":-)", "(^_^)", "$5 off", "user@example.com", "tea, coffee",
          "credit union selection", "or 1 equals 1", "cmd key", "bash party", "php developer", "the id card",
          "java vs python", "sql for beginners", "how to drop weight", "left join club", "exec summary"]
SENTENCES = [
    "Hi {f}, your order #{n} shipped today; track it at https://track.example.com/?id={n}&ref=mail.",
    "Please update my address: {n} Main St., Apt #4, St. John's, NL.",
    "I'd like to select the Gold plan, then drop the Silver one -- is that OK?",
    "Can you delete from my cart the blue shoes (size 9)?",
    "My sponsor is {f} {l}; she said \"join now\" and I did!",
    "Where do I find the union of my left and right legs' volume?",
    "Order by Friday for free shipping <strong>today only</strong>.",
    "Call me at +1 (555) 123-{n4} or email {e}.",
    "The price is $19.99 (was $29.99) - that's 33% off!",
    "Team volume: left=1200 PV, right=950 PV; pairing = 950 * 10% = 95.",
    "I can't log in; it says 'invalid password' even though I typed it right.",
    "Rock 'n' roll themed party kit — 2 for 1!",
    "Sleep well: our Sleep Aid works in 30 min; echo it to your team.",
    "If (rank >= Gold) then bonus = 5%, else 3%.",
    "Use code SAVE10 at checkout & get 10% off; ends 11/30.",
    "Is {f}'s downline bigger than mine? We're both at 'Diamond' rank.",
    "P.O. Box {n4}, Springfield, IL 62704",
    "Ship to: {f} {l}, {n} O'Connell St, Dublin 1",
    "cat & dog treats | bundle of 3 | free shipping",
    "Question: what's 7*7? My kid says 49 :)",
    "The {{name}} placeholder in the email template shows literally.",
    "Our team's goal: ${n4} in sales by Q4.",
    "1. Select a kit  2. Add to cart  3. Checkout",
    "I've been a member since 2019 and love the products <3",
    "re: invoice #{n} / PO {n4} / attn: {f}",
    "The path in the manual says docs/guide.pdf, is that right?",
    "Loving the new look... great job!!! :-D",
    "Can I change my password? I think someone knows it; I got an email at 3am.",
    "I'm at 95% of my goal - one more order and I'm there!",
    "C:/ drive full? No, that's not related to your account.",
    "Tom's & Jerry's; best (ever)!", "Question: is 5 > 3 and 2 < 4?", "email: {e}; phone: 555-{n4}",
    "I'd say 2 or 3 = enough for a starter", "the id is {n}; name is {f}", "Suite 5, rm 101; 2nd floor",
    "Size (M) -- color: 'red'", "Room 5; call me after 6", "Hall 5; update: we moved the booth",
    "Please confirm (2 items) and alert me when shipped", "Our function (see the document) is simple",
    "Java & PHP course", "Shampoo & Curl Cream", "Name & ID", "Echo Dot & Alexa", "x^2 + y^2 = z^2",
    "=) thanks!! ^_^ <3", "Tea | Coffee | Juice", "Milk & Cookies; Tea & Cake", "<Base Model> vs <Pro Model>",
    "Drop by our booth; select a free sample", "Union Pacific employees: select plan B -- 10% off",
    "\"Best\" deal -- ends Friday; don't miss it!", "I paid $20 (cash) & $15 (card) = $35 total",
    "Kids 5 and 6 ask: is 7*7 49?", "my cat's name is \"Sleepy\"; she sleeps 20 hours", "WHERE is my order #{n}?",
    "ORDER BY FRIDAY!!!", "From: {f} <{e}>", "<{e}>", "Re: [Team] {f}'s rank-up party @ 7pm",
    "1) Select size  2) Select color  3) Add to cart", "Shipping (USA/Canada) only", "5'6\" and 130 lbs",
    "Rate: 4.5/5 -- would buy again", "He said: 'or else'", "Mom & Dad's anniversary gift (50th)",
    "Is the 12\" pan oven-safe (up to 500°F)?", "version 2.0 (beta) -- try it", "user(s) with admin role",
    "{f} O'Hara-Smith; Apt. 4B; Dublin", "Let's meet at 5; cat sitting included", "Prices: $5 - $10 | free >$50",
    "and/or", "24/7 support", "w/o sugar", "N/A", "1/2 price", "see https://mlm.example/etc/terms",
    "next: /shop/promo", "cat / dog food", "Go to Settings / Security / Devices", "folder: Documents/MLM",
    # Rich-text editor output (TinyMCE, Quill, CKEditor): images, links, lists, inline styles.
    '<p><img src="https://cdn.example.com/img/{n}.jpg" alt="{f}" width="300" height="200"></p><ul><li>{l}</li></ul><br>',
    '<p>Thanks {f}! <a href="https://shop.example.com/p/{n}" target="_blank" rel="noopener noreferrer">see it</a></p>',
    '<p style="text-align: center;"><span style="color: rgb(230, 0, 0);">Order by Friday</span></p>',
    '<h2>Week {n4}</h2><blockquote>{f} {l}: "best team ever"</blockquote><p><br></p>',
    '<p class="ql-align-right"><strong>{f}</strong>&nbsp;&amp; {l}&#39;s <em>team</em></p>',
    '<ol><li><u>Select</u> a kit</li><li>Drop it in the cart</li></ol><p><img src="/media/{n}.png" alt=""></p>',
]
KEYS = ["q", "search", "name", "city", "note", "comment", "ref", "page", "sort", "utm_source", "email", "msg"]


def _fill(rng: random.Random, text: str) -> str:
    return (text.replace("{f}", rng.choice(FIRST)).replace("{l}", rng.choice(LAST))
            .replace("{n}", str(rng.randint(10, 99999))).replace("{n4}", str(rng.randint(1000, 9999)))
            .replace("{e}", f"{rng.choice(FIRST).lower()}.{rng.randint(1, 99)}@example.com"))


def benign_text(rng: random.Random) -> str:
    """One benign free-text value a distributor might type."""
    roll = rng.random()
    if roll < 0.3:
        return rng.choice(SEARCH)
    if roll < 0.5:
        return rng.choice(PRODUCTS)
    if roll < 0.6:
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    return _fill(rng, rng.choice(SENTENCES))


def benign_query(rng: random.Random) -> str:
    """A raw query string as a browser sends it (form encoding, `+` for spaces)."""
    pairs = [f"{rng.choice(KEYS)}={quote_plus(benign_text(rng))}"]
    for _ in range(rng.randint(0, 3)):
        pairs.append(rng.choice(["page=2", "sort=price_asc", "limit=20", "utm_source=newsletter",
                                 "lang=en-US", "ref=team_{n}".replace("{n}", str(rng.randint(1, 999)))]))
    rng.shuffle(pairs)
    return "&".join(pairs)


def benign_body(rng: random.Random) -> str:
    """A JSON or form body of an ordinary request (order, profile, message)."""
    if rng.random() < 0.5:
        doc = {"items": [{"sku": f"SKU-{rng.randint(100, 999)}", "qty": rng.randint(1, 5)}],
               "note": benign_text(rng), "ship_to": {"name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                                                     "line1": _fill(rng, "{n} O'Connell St, Apt #3")}}
        return orjson.dumps(doc).decode()
    return "&".join(f"{k}={quote_plus(benign_text(rng))}" for k in ("name", "message", "city"))


def benign_values(count: int, seed: int) -> list[dict[str, str]]:
    """`count` benign event overrides: query, body, or both."""
    rng = random.Random(f"benign:{seed}")
    out = []
    for _ in range(count):
        roll = rng.random()
        doc: dict[str, str] = {}
        if roll < 0.7:
            doc["url.query"] = benign_query(rng)
        if roll >= 0.5:
            doc["http.request.body.content"] = benign_body(rng)
        out.append(doc)
    return out
