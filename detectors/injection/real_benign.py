"""Benign real-world text for the false-positive side of the evaluation, by kind.

Faker's locale data (real first and last names such as O'Brien and D'Angelo, street addresses,
company names, a real English word list for prose, URLs) from many locales; the non-attack
sections of the Big List of Naughty Strings; wfuzz's common path words; real browsers' user agents (fake-useragent's observed list); and the shapes the MLM app
and rich-text editors really send (JSON bodies, editor HTML) filled with those values.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import orjson

from detectors.injection.real_corpora import BLNS_ATTACKS, BLNS_SKIPPED, WFUZZ, blns_sections, cache_dir

LOCALES = ["en_US", "en_GB", "en_IE", "en_AU", "fr_FR", "de_DE", "es_ES", "it_IT", "nl_NL", "pt_BR",
           "pl_PL", "tr_TR", "vi_VN"]
UNITS = ['12"', "5'10\"", "8 oz.", "90 caps", "500mg", "2-pack", "(XL)", "100%", "#7", "3 x 40g"]
EDITOR_TAGS = ["p", "strong", "em", "u", "s", "h2", "h3", "blockquote", "li", "span", "code"]


def _faker(seed: int):  # type: ignore[no-untyped-def]
    from faker import Faker  # a test extra: only the evaluation needs it

    fake = Faker(LOCALES)
    Faker.seed(seed)
    return fake


def _product(fake, rng: random.Random) -> str:  # type: ignore[no-untyped-def]
    words = fake.words(rng.randint(1, 3))
    name = " ".join(w.capitalize() for w in words)
    return rng.choice([f"{name} {rng.choice(UNITS)}", f"\"{name}\" Kit", f"{fake.last_name()}'s {name}",
                       f"<b>NEW</b> {name}", f"{name} & {fake.word().capitalize()}", f"Select {name}",
                       f"{name} (Drop-in Refill)", f"{name} -- Union Edition"])


def _review(fake, rng: random.Random) -> str:  # type: ignore[no-untyped-def]
    opener = rng.choice(["I'd", "Don't", "It's", "We've", "Can't", "You'll", "I'm"])
    return rng.choice([
        f"{opener} {fake.sentence()} {rng.randint(1, 5)}/5 -- \"{fake.sentence(nb_words=4)}\"",
        f"{fake.first_name()} said '{fake.sentence(nb_words=5)}' and I agree; {fake.sentence()}",
        f"{fake.paragraph(nb_sentences=2)} P.S. {opener} stop! :-) <3",
        f"Q: {fake.sentence(nb_words=6)[:-1]}? A: {fake.sentence()} (see {fake.url()})",
    ])


def _editor_html(fake, rng: random.Random) -> str:  # type: ignore[no-untyped-def]
    """Markup as TinyMCE/Quill/CKEditor emit it: formatting, links, images, lists, inline styles."""
    parts = []
    for _ in range(rng.randint(1, 4)):
        tag = rng.choice(EDITOR_TAGS)
        text = fake.sentence()
        parts.append(rng.choice([
            f"<{tag}>{text}</{tag}>",
            f'<p>{text} <a href="{fake.url()}" target="_blank" rel="noopener noreferrer">{fake.word()}</a></p>',
            f'<p><img src="{fake.image_url()}" alt="{fake.word()}" width="300" height="200"></p>',
            f'<p style="text-align: center;"><span style="color: rgb(230, 0, 0);">{text}</span></p>',
            f"<ul><li>{fake.word()}</li><li>{fake.word()}</li></ul><br>",
            f'<p class="ql-align-right">{text}&nbsp;&amp; {fake.last_name()}&#39;s</p>',
        ]))
    return "".join(parts)


def _json_body(fake, rng: random.Random) -> str:  # type: ignore[no-untyped-def]
    """Bodies of the MLM app's JSON endpoints: orders, profiles, support messages, searches."""
    doc = rng.choice([
        {"items": [{"sku": f"VC-{rng.randint(100, 999)}", "qty": rng.randint(1, 5), "name": _product(fake, rng)}],
         "ship_to": {"name": fake.name(), "line1": fake.street_address(), "city": fake.city(),
                     "postcode": fake.postcode()}, "note": _review(fake, rng)},
        {"display_name": fake.name(), "bio": fake.paragraph(), "website": fake.url(), "phone": fake.phone_number()},
        {"subject": fake.sentence(nb_words=5), "message": _review(fake, rng), "order_id": rng.randint(1000, 99999)},
        {"q": " ".join(fake.words(rng.randint(1, 4))), "sort": rng.choice(["price_asc", "newest"]), "page": 2},
        {"sponsor": fake.user_name(), "placement": rng.choice(["left", "right"]), "email": fake.email()},
    ])
    return orjson.dumps(doc).decode()


KINDS: dict[str, Callable[..., str]] = {
    "name": lambda fake, rng: fake.name(),
    "last_name": lambda fake, rng: fake.last_name(),
    "address": lambda fake, rng: fake.address(),
    "company": lambda fake, rng: fake.company(),
    "email": lambda fake, rng: fake.email(),
    "url": lambda fake, rng: fake.url() + rng.choice(["", "?ref=mail&utm_source=news", "#top"]),
    "search": lambda fake, rng: " ".join(fake.words(rng.randint(1, 4))),
    "sentence": lambda fake, rng: fake.sentence(),
    "paragraph": lambda fake, rng: fake.paragraph(),
    "product": _product,
    "review": _review,
    "editor_html": _editor_html,
    "json_body": _json_body,
    "user_agent": lambda fake, rng: fake.user_agent(),
    "catch_phrase": lambda fake, rng: fake.catch_phrase(),
}


def faker_values(per_kind: int, seed: int = 5) -> dict[str, list[str]]:
    """`per_kind` values of every kind, deterministic for a seed."""
    fake = _faker(seed)
    rng = random.Random(seed)
    return {kind: [make(fake, rng) for _ in range(per_kind)] for kind, make in KINDS.items()}


def blns_benign() -> list[str]:
    """The naughty strings that are not attacks: unicode, quotes, emoji, numbers, reserved words."""
    return [line for title, lines in blns_sections().items()
            if title not in BLNS_ATTACKS and title not in BLNS_SKIPPED for line in lines]


def wfuzz_paths(limit: int = 5000) -> list[str]:
    """Real directory and file names from wfuzz's common wordlist, as path segments."""
    path = Path(WFUZZ) / "general" / "common.txt"
    if not path.is_file():
        return []
    words = path.read_text(encoding="utf-8", errors="replace").split()
    return [w for w in words if w and not w.startswith("#")][:limit]


def real_user_agents(limit: int = 3000) -> list[str]:
    """Distinct user agents real browsers sent (fake-useragent's data, fetched with the corpora)."""
    path = cache_dir() / "pypi" / "fake_useragent" / "data" / "browsers.jsonl"
    if not path.is_file():
        return []
    agents = (orjson.loads(line)["useragent"] for line in path.read_bytes().splitlines() if line.strip())
    return list(dict.fromkeys(agents))[:limit]
