"""Event search: field filters, free text, time range, histogram, facets, paging, masking, bad input."""

from __future__ import annotations

from builders import make_event

from dashboard.search.service import parse_query, search


def _events(ctx):
    events = [
        make_event(
            i * 60,
            event__id=f"s-{i}",
            user__name="amy" if i % 2 else "bob",
            event__outcome="failure" if i % 3 == 0 else "success",
        )
        for i in range(120)
    ]
    events.append(
        make_event(
            10, event__id="s-mail", user__name="carol.smith@example.com", event__action="password_changed"
        )
    )
    ctx.store.write_events(events)


def test_parse_query_separates_filters_and_text():
    assert parse_query('user.name:amy event.action:login user.name:bob "two words" x') == (
        {"user.name": ["amy", "bob"], "event.action": ["login"]},
        "two words x",
    )


def test_search_filters_text_range_histogram_facets(ctx):
    _events(ctx)
    r = search(ctx, "user.name:amy event.outcome:failure")
    assert r.total == 20 and all(e.user == "amy" and e.outcome == "failure" for e in r.events)
    assert r.chart is not None and sum(int(b.title.rsplit(" ", 1)[1]) for b in r.chart.bars) == 20
    assert {f: v for f, v in r.facets}["user.name"] == [("amy", "amy", 20)]
    ranged = search(ctx, "", start="2026-11-02T09:00:00Z", end="2026-11-02T09:10:00Z")
    assert ranged.total == 11  # ten one-minute events plus the password change at 09:00:10


def test_search_pages_and_masks_pii(ctx):
    _events(ctx)
    first = search(ctx, "")
    assert len(first.events) == 50 and first.next_cursor
    second = search(ctx, "", cursor=first.next_cursor)
    assert not {e.id for e in first.events} & {e.id for e in second.events}
    mail = search(ctx, "event.action:password_changed")
    assert mail.events[0].user == "c***@example.com"
    assert "carol.smith" not in str(mail.events[0].fields)


def test_bad_queries_give_a_clear_error_not_a_crash(ctx):
    assert search(ctx, "", start="not a date").error
    r = search(ctx, "source.ip:not-an-ip")
    assert r.total == 0


def test_search_page_renders_and_is_audited(client_for, ctx):
    _events(ctx)
    client = client_for("admin")
    page = client.get("/search", params={"q": "user.name:amy", "range": "all"})
    assert page.status_code == 200 and "60 events" in page.text and "<svg" in page.text
    assert "events_searched" in client.get("/admin/audit").text
