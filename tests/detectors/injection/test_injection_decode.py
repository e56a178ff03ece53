"""The decoding layers: each evasion is undone, and hostile input stays bounded."""

from __future__ import annotations

import pytest

from detectors.injection import decode


@pytest.mark.parametrize("raw, expected", [
    ("%2527%2520OR%25201%253D1", "' OR 1=1"),  # double URL encoding
    ("%252527", "'"),  # triple
    ("a+b%2Bc", "a b+c"),  # + is a space in a query, %2B a plus
    ("%u003cscript%u003e", "<script>"),  # IIS %u encoding
    ("%c0%ae%c0%ae/etc/passwd", "../etc/passwd"),  # overlong UTF-8
    ("%EF%BC%9Cscript%EF%BC%9E", "<script>"),  # fullwidth < > folded by NFKC
    ("%EF%BC%85%EF%BC%92%EF%BD%86", "/"),  # fullwidth %2f reveals a new escape
    ("%26lt%3Bsvg%26gt%3B", "<svg>"),  # HTML entities inside URL encoding
    ("%26%23x3c%3Bimg", "<img"),  # hex entity
])
def test_query_values_are_decoded_through_every_layer(raw: str, expected: str) -> None:
    assert decode.query_parts("q=" + raw)[1] == expected


def test_sql_comments_fold_to_spaces_and_version_comments_keep_their_content() -> None:
    assert decode.squeeze(decode.sql_fold("1/**/UNION/**/SELECT/*x*/1")) == "1 UNION SELECT 1"
    assert "UNION" in decode.sql_fold("/*!50000UNION*/ SELECT")


def test_json_bodies_yield_keys_strings_and_operator_objects() -> None:
    parts = decode.body_parts('{"user": {"$ne": null}, "note": "hi \\u003cb\\u003e"}')
    assert "user" in parts and "$ne" in parts and "hi <b>" in parts
    assert any('"$ne"' in p for p in parts)  # the operator object itself, for the NoSQL patterns


def test_form_bodies_are_split_into_parameters() -> None:
    assert decode.body_parts("name=O%27Brien&city=St.+John%27s") == ["name", "O'Brien", "city", "St. John's"]


def test_shell_quotes_inside_words_are_removed() -> None:
    assert decode.unquote_words("w'h'o'am'i; c\\at") == "whoami; cat"


def test_hostile_input_is_bounded() -> None:
    many = "&".join(f"k{i}=v" for i in range(10_000))
    assert len(decode.query_parts(many)) <= 2 * decode.MAX_PARTS
    deep = "[" * 5000 + "]" * 5000
    assert decode.body_parts(deep)  # orjson refuses the depth; the raw text is kept, no crash
    assert decode.body_parts("{not json") == ["{not json"]
    assert decode.url_decode("%" * 5000 + "%zz", True).startswith("%")


def test_plain_values_take_the_fast_path() -> None:
    assert decode.is_plain("vitamin c 500mg, size M")
    assert not decode.is_plain("a -- b")
    assert not decode.is_plain("O'Brien")


def test_re_fallback_matches_what_hyperscan_matches() -> None:
    from detectors.injection.corpus import attack_events
    from detectors.injection.corpus_benign import benign_values
    from detectors.injection.matcher import PatternMatcher

    fast, slow = PatternMatcher(), PatternMatcher(force_re=True)
    assert fast.engine == "hyperscan" and slow.engine == "re"
    texts = [p for events in attack_events(40, seed=5).values() for f in events
             for p in decode.query_parts(f.get("url.query", ""))]
    texts += [p for f in benign_values(200, seed=5) for p in decode.query_parts(f.get("url.query", ""))]
    for text in texts:
        squeezed = decode.squeeze(text)
        assert fast.classes(squeezed) == slow.classes(squeezed), text


def test_values_without_escapes_skip_decoding_with_the_same_result() -> None:
    """The fast path (ASCII with no % + & or backslash) returns what the full layers would."""
    import random

    rng = random.Random(5)
    alphabet = "abcXYZ019 _.,@-'\"<>;|()=*/#$!?:[]{}`~^"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24)))
        for plus in (True, False):
            slow = decode.normalize(decode.url_decode(text, plus))
            assert decode.deep_decode(text, plus) == slow, text


def test_the_decode_memo_is_bounded_and_changes_no_result() -> None:
    memo: decode.Memo = {}
    values = [f"v%3D{n}%26x" for n in range(decode.MEMO_MAX + 500)] + ["%2e%2e%2f" * 100]
    decoded = [decode.deep_decode(v, True, memo) for v in values]
    assert decoded == [decode.deep_decode(v, True) for v in values]
    assert 0 < len(memo) <= decode.MEMO_MAX and all(len(text) <= decode.MEMO_MAX_CHARS for text, _ in memo)
    assert decode.body_parts("username=ann&password=%5BREDACTED%5D", memo)[-1] == "[REDACTED]"
