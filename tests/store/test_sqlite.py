"""SQLite store specifics: FTS5 free text, list and CIDR filters, retention, migration, dedupe."""

import sqlite3
from datetime import timedelta

import pytest
from builders import T0, make_event

from core.store import EventQuery, open_store
from core.store.sqlite import SqliteStore


@pytest.fixture
def store(tmp_path):
    s = SqliteStore(tmp_path / "events.db", retention_days=30, clock=lambda: T0.timestamp())
    yield s
    s.close()


def http(seconds, path, query=None, **kw):
    return make_event(seconds, event__dataset="mlm.http", event__action="http_request",
                      event__category=["web"], url__path=path, url__query=query, **kw)


def ids(page):
    return [d["event"]["id"] for d in page.items]


def test_free_text_matches_words_in_the_text_fields_only(store):
    a = http(1, "/api/distributors/amy.smith", "q=1%27%20UNION%20SELECT%20pw")
    b = http(2, "/login", http__request__body__content="username=bob&password=[REDACTED]")
    c = make_event(3, user__name="union_jack", source__ip="198.51.100.7")
    store.write_events([a, b, c])
    assert ids(store.search_events(EventQuery(text="amy"))) == [a.id]
    # words are letter/digit runs: "%20UNION" holds the word "20union", "union_jack" holds "union"
    assert ids(store.search_events(EventQuery(text="UNION"))) == [c.id]
    # underscore and dots split words, as in the Elasticsearch analyzer
    assert ids(store.search_events(EventQuery(text="jack"))) == [c.id]
    assert ids(store.search_events(EventQuery(text="20union 20select"))) == [a.id]
    assert ids(store.search_events(EventQuery(text="redact*"))) == [b.id]
    # the IP is not a free-text field: search it with a filter
    assert store.search_events(EventQuery(text="198.51.100.7")).items == []
    # FTS syntax in user input is just words, never an operator or an error
    assert ids(store.search_events(EventQuery(text='amy" OR "bob'))) == []
    assert len(store.search_events(EventQuery(text='"*()')).items) == 3


def test_list_fields_and_cidr_filters(store):
    a = make_event(1, event__category=["authentication", "iam"], source__ip="10.1.2.3")
    b = make_event(2, event__category=["web"], source__ip="192.0.2.9")
    store.write_events([a, b])
    assert ids(store.search_events(EventQuery(filters={"event.category": ["iam"]}))) == [a.id]
    assert ids(store.search_events(EventQuery(filters={"source.ip": ["10.0.0.0/8"]}))) == [a.id]
    both = EventQuery(filters={"source.ip": ["10.0.0.0/8", "192.0.2.9"]}, sort="asc")
    assert ids(store.search_events(both)) == [a.id, b.id]
    assert store.top_values(EventQuery(), "event.category") == [("authentication", 1), ("iam", 1), ("web", 1)]


def test_retention_removes_old_events_and_their_text_rows(store):
    old = http(0, "/old/page")
    new = http(40 * 86400, "/new/page")
    store.write_events([old, new])
    assert store.enforce_retention(T0 + timedelta(days=40)) == 1
    assert ids(store.search_events(EventQuery(text="page"))) == [new.id]
    assert store.get_events([old.id, new.id])[0]["event"]["id"] == new.id
    # the FTS index holds no rows for deleted events: an integrity check proves it
    store._db.execute("INSERT INTO events_fts(events_fts, rank) VALUES ('integrity-check', 1)")


def test_writes_sweep_expired_events_at_most_hourly(tmp_path):
    hour = 3600
    now = [T0.timestamp()]
    store = open_store(f"sqlite:///{tmp_path / 'e.db'}?retention_days=2")
    assert store.retention_days == 2
    store.clock = lambda: now[0]
    old, older_by_an_hour = make_event(0), make_event(hour)
    store.write_events([old, older_by_an_hour])
    now[0] = T0.timestamp() + 2 * 86400 + 0.25 * hour  # `old` expired: this write sweeps it
    store.write_events([make_event(2 * 86400)])
    assert store.get_events([old.id]) == [] and store.count_events(EventQuery()) == 2
    now[0] += 0.85 * hour  # the second one expired too, but the last sweep is under an hour ago
    store.write_events([make_event(2 * 86400 + 1)])
    assert store.count_events(EventQuery()) == 3
    now[0] += 0.2 * hour
    store.write_events([make_event(2 * 86400 + 2)])
    assert store.get_events([older_by_an_hour.id]) == [] and store.count_events(EventQuery()) == 3
    store.close()


def test_duplicates_within_and_across_batches(store):
    e = make_event(1)
    result = store.write_events([e, e, make_event(2)])
    assert (result.stored, result.duplicates) == (2, 1)
    assert store.write_events([e]).duplicates == 1
    assert store.count_events(EventQuery()) == 2


def test_a_batch_mixing_known_and_new_ids_stores_and_indexes_only_the_new(store):
    first = http(1, "/shop/alpha", event__id="dup-1")
    store.write_events([first])
    again = http(5, "/shop/bravo", event__id="dup-1")  # same id, other content: the stored one stays
    fresh = [http(2 + i, f"/shop/charlie{i}") for i in range(3)]
    result = store.write_events([fresh[0], again, fresh[1], fresh[1], fresh[2]])
    assert (result.stored, result.duplicates) == (3, 2)
    assert ids(store.search_events(EventQuery(text="bravo"))) == []  # no FTS row left for the refused one
    assert ids(store.search_events(EventQuery(text="alpha"))) == ["dup-1"]
    for i, event in enumerate(fresh):
        assert ids(store.search_events(EventQuery(text=f"charlie{i}"))) == [event.id]
    later = http(9, "/shop/delta")
    assert store.write_events([later]).stored == 1  # numbering continues after the retried batch
    assert ids(store.search_events(EventQuery(text="delta"))) == [later.id]
    assert store.count_events(EventQuery()) == 5


def test_bad_cursor_and_field_names_are_refused(store):
    with pytest.raises(ValueError):
        store.search_events(EventQuery(cursor="garbage"))
    with pytest.raises(ValueError):
        store.search_events(EventQuery(filters={"a') OR 1=1 --": ["x"]}))


def test_opens_a_version_1_store_file_and_migrates_it(tmp_path):
    path = tmp_path / "v1.db"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, ts REAL NOT NULL,
            dataset TEXT NOT NULL, action TEXT NOT NULL, user_name TEXT, source_ip TEXT, doc BLOB NOT NULL);
        CREATE TABLE alerts (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, ts REAL NOT NULL,
            rule_id TEXT NOT NULL, category TEXT NOT NULL, severity TEXT NOT NULL,
            entity_type TEXT NOT NULL, entity_value TEXT NOT NULL, doc BLOB NOT NULL);
    """)
    e = http(1, "/payouts/export", user__id="d-42")
    db.execute("INSERT INTO events(id, ts, dataset, action, user_name, source_ip, doc) VALUES (?,?,?,?,?,?,?)",
               (e.id, e.ts, e.dataset, e.action, None, e.get("source.ip"), e.to_json()))
    db.commit()
    db.close()
    store = SqliteStore(path)
    assert ids(store.search_events(EventQuery(text="export", filters={"user.id": ["d-42"]}))) == [e.id]
    store.close()


def _write_batches(path, worker):
    """Runs in another process: 20 batches of 50 events, some ids shared with the other writer."""
    store = SqliteStore(path)
    for batch in range(20):
        store.write_events([make_event(batch * 50 + i, event__id=f"w{worker}-{batch}-{i}" if i % 5 else
                                       f"shared-{batch}-{i}") for i in range(50)])
    store.close()


def test_two_processes_write_one_file_without_losing_or_doubling(tmp_path):
    import multiprocessing

    path = tmp_path / "shared.db"
    SqliteStore(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_batches, args=(path, w)) for w in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    store = SqliteStore(path)
    # 2 x 20 x 40 own ids + 20 x 10 shared ids, each stored once; FTS rows line up with events
    assert store.count_events(EventQuery()) == 2 * 20 * 40 + 20 * 10
    assert store.count_events(EventQuery(text="mozilla")) == 2 * 20 * 40 + 20 * 10
    store.close()


def test_hostile_search_text_never_breaks_the_query(tmp_path):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    store = SqliteStore(tmp_path / "h.db")
    store.write_events([http(1, "/api/x", "a=\"b\"*c"), make_event(2, user__name="NEAR AND OR NOT")])

    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=200))
    def search(text):
        page = store.search_events(EventQuery(text=text))
        assert len(page.items) <= 2
        assert store.count_events(EventQuery(text=text)) == len(page.items)

    search()
    # FTS5 operators in the input are plain words to match, never operators
    assert len(store.search_events(EventQuery(text='AND "near" OR*')).items) == 1
    assert len(store.search_events(EventQuery(text='NEAR OR "far"')).items) == 0
    store.close()


def test_both_free_text_plans_give_the_same_pages(store, monkeypatch):
    store.write_events([http(i, f"/api/orders/{i % 7}", f"page={i % 3}") for i in range(60)])
    queries = [EventQuery(text="orders", size=9), EventQuery(text="orders 3", sort="asc", size=4),
               EventQuery(text="page 2", filters={"event.dataset": ["mlm.http"]}, size=5)]

    def pages(q):
        out, cursor = [], None
        while True:
            page = store.search_events(EventQuery(q.start, q.end, q.filters, q.text, q.sort, q.size, cursor))
            out.append(ids(page))
            cursor = page.next_cursor
            if not cursor:
                return out

    by_matches = [pages(q) for q in queries]  # few matches: driven by the FTS rowids
    monkeypatch.setattr("core.store.sqlite._BROAD_TEXT", 1)  # now every search probes in time order
    assert [pages(q) for q in queries] == by_matches
    assert sum(len(p) for p in by_matches[0]) == 60 and len(by_matches[1][0]) == 4


def test_new_files_take_large_pages_and_existing_files_keep_theirs(tmp_path):
    fresh = SqliteStore(tmp_path / "new.db")
    assert fresh._db.execute("PRAGMA page_size").fetchone()[0] == 16_384
    fresh.close()
    with sqlite3.connect(tmp_path / "old.db") as db:  # a file some earlier version created
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE keep (x)")
    old = SqliteStore(tmp_path / "old.db")
    assert old._db.execute("PRAGMA page_size").fetchone()[0] == 4096
    # the WAL is still checkpointed every ~32 MB, counted in that file's pages
    assert old._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 32 * 1_048_576 // 4096
    e = http(1, "/still/works")
    assert old.write_events([e]).stored == 1 and ids(old.search_events(EventQuery(text="works"))) == [e.id]
    old.close()
