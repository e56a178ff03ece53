"""Events reach the collector in batches, survive a collector outage on disk, and carry no secrets."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from mlmapp_collector_stub import CollectorStub
from mlmapp_helpers import CSRF_RE, PASSWORD, SECRET_RE, code_for

from core.event import Event
from mlm_app.accounts.sessions import COOKIE
from mlm_app.events.shipper import Shipper
from mlm_app.events.transports import HttpTransport

INGEST = "ingest-token-for-tests"


@pytest.fixture
def collector():
    stub = CollectorStub(INGEST)
    yield stub
    stub.close()


def _wait(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_no_secret_is_ever_shipped(make_harness, collector):
    """Plant a password, TOTP code, session token and bank number; none may reach the collector."""
    harness = make_harness(shipper="http", collector_url=collector.url, ingest_token=INGEST,
                           shipper_flush_seconds=0.05)
    harness.add_user("zoe.secret", password=PASSWORD)
    bank = "NL91ABNA0417164300"
    with TestClient(harness.app, client=("203.0.113.9", 4000), follow_redirects=False) as client:
        token = CSRF_RE.search(client.get("/login").text).group(1)
        client.post("/login?password=" + PASSWORD.replace(" ", "+"),
                    data={"username": "zoe.secret", "password": PASSWORD, "csrf_token": token})
        page = client.get("/mfa/setup").text
        secret, token = SECRET_RE.search(page).group(1), CSRF_RE.search(page).group(1)
        code = code_for(secret)
        client.post("/mfa/setup", data={"code": code, "csrf_token": token})
        session_token = client.cookies.get(COOKIE)
        client.post("/account/profile/bank", data={"account_number": bank, "csrf_token": token})
        client.post("/account/profile/bank", json={"account_number": bank, "new_password": PASSWORD},
                    headers={"x-csrf-token": token})
        client.post("/api/admin/response", json={"action": "lock_account", "target": "x"},
                    headers={"Authorization": f"Bearer {session_token}"})
        assert _wait(lambda: len(collector.events) >= len(harness.events))
        health = harness.client("127.0.0.1").get("/health").json()  # backlog details: local monitors only
        assert health["status"] == "ok" and health["shipper"]["buffered_batches"] == 0
        assert client.get("/health").json() == {"status": "ok"}
    shipped = b"\n".join(collector.raw).decode()
    assert harness.find("mlm.audit", "bank_account_changed") and "[REDACTED]" in shipped
    for secret_value in (PASSWORD, PASSWORD.replace(" ", "+"), code, session_token, bank, secret):
        assert secret_value not in shipped, f"secret leaked: {secret_value[:4]}..."
    assert _wait(lambda: len(collector.events) == len(harness.events))  # the shutdown flushed the rest
    for doc in collector.events:
        Event.from_dict(doc)  # every shipped event satisfies the contract


def test_http_event_fields_are_raw(make_harness):
    harness = make_harness()
    client = harness.client("203.0.113.5", headers={"user-agent": "sqlmap/1.7", "referer": "http://x/?token=abc"})
    client.get("/search%2F..%2F/items", params=None)
    client.get("/login?q=%27%20OR%201%3D1--&token=tok123")
    first, second = harness.find("mlm.http", "http_request")[-2:]
    assert first["url"]["path"] == "/search%2F..%2F/items"
    assert first["http"]["response"]["status_code"] == 404 and first["event"]["outcome"] == "failure"
    assert second["url"]["query"] == "q=%27%20OR%201%3D1--&token=[REDACTED]"
    assert second["user_agent"]["original"] == "sqlmap/1.7" and "abc" not in second["http"]["request"]["referrer"]
    assert second["event"]["duration"] > 0 and second["mlm"]["device"]["id"].startswith("dev-")
    assert second["http"]["request"]["method"] == "GET"


def test_body_logged_up_to_4096_bytes(make_harness):
    harness = make_harness()
    client = harness.client()
    token = CSRF_RE.search(client.get("/login").text).group(1)
    payload = "username=" + "A" * 6000 + "&password=hunter2hunter2&csrf_token=" + token
    client.post("/login", content=payload, headers={"content-type": "application/x-www-form-urlencoded"})
    event = harness.find("mlm.http", "http_request")[-1]
    body = event["http"]["request"]["body"]
    assert body["bytes"] == len(payload) and len(body["content"].encode()) <= 4096
    assert "hunter2" not in str(harness.events)


def test_trusted_proxy_resolution(make_harness):
    harness = make_harness(trusted_proxies=["10.0.0.0/8"])
    via_proxy = harness.client("10.1.2.3", headers={"x-forwarded-for": "6.6.6.6, 198.51.100.1, 10.9.9.9"})
    via_proxy.get("/health")
    direct = harness.client("198.51.100.200", headers={"x-forwarded-for": "1.1.1.1"})
    direct.get("/health")
    ips = [e["source"]["ip"] for e in harness.find("mlm.http", "http_request")]
    assert ips == ["198.51.100.1", "198.51.100.200"]  # spoofed left-most hop and untrusted header ignored


def test_outage_buffers_on_disk_then_drains(tmp_path, collector):
    collector.up = False
    shipper = Shipper(HttpTransport(collector.url, INGEST), tmp_path / "buf", batch=10, flush_seconds=0.05)
    shipper.start()
    for i in range(35):
        shipper.submit({"n": i})
    assert _wait(lambda: shipper.buffer.pending_batches() >= 1)
    assert collector.events == []
    collector.up = True
    shipper._retry_at = 0.0  # skip the remaining backoff instead of sleeping through it
    assert _wait(lambda: len(collector.events) == 35, timeout=15)
    assert [e["n"] for e in collector.events] == list(range(35))  # order kept across the outage
    assert shipper.buffer.pending_batches() == 0
    shipper.stop()


def test_stop_spills_to_disk_and_next_start_drains(tmp_path, collector):
    collector.up = False
    first = Shipper(HttpTransport(collector.url, INGEST), tmp_path / "buf", batch=5, flush_seconds=0.05)
    first.start()
    for i in range(12):
        first.submit({"n": i})
    first.stop()
    assert first.buffer.pending_batches() >= 1
    collector.up = True
    second = Shipper(HttpTransport(collector.url, INGEST), tmp_path / "buf", batch=5, flush_seconds=0.05)
    second.start()
    assert _wait(lambda: len(collector.events) == 12)
    second.stop()


def test_disk_buffer_is_bounded(tmp_path):
    from mlm_app.events.diskbuffer import DiskBuffer

    buffer = DiskBuffer(tmp_path / "b", max_bytes=2000)
    for i in range(50):
        buffer.append([b'{"n": %d, "pad": "%s"}' % (i, b"x" * 80)])
    total = sum(p.stat().st_size for p in (tmp_path / "b").iterdir())
    assert total <= 2000 and buffer.dropped_batches > 0
    oldest = buffer.oldest()
    assert oldest is not None and b'"n": ' in oldest[1][0]


def test_submit_never_blocks_when_queue_full(tmp_path):
    """A transport stuck forever (hung collector) must not stall the callers: overflow goes to disk."""
    import threading

    release = threading.Event()

    class Stuck:
        def send(self, lines):
            release.wait(30)

        def close(self):
            pass

    shipper = Shipper(Stuck(), tmp_path / "buf", batch=5, flush_seconds=0.01, queue_size=10)
    shipper.start()
    for i in range(500):  # would deadlock here if submit waited for the transport
        shipper.submit({"n": i})
    assert shipper.buffer.pending_batches() >= 400
    release.set()
    shipper.stop()


def test_kafka_transport_keys_by_entity(noida, tmp_path):
    """Batches reach a real Kafka wire protocol as NDJSON messages keyed by user.id, else source.ip."""
    import orjson
    from kafka import KafkaConsumer

    from mlm_app.events.transports import KafkaTransport

    topic = f"mlm.raw.test{time.monotonic_ns() % 10**6}"
    shipper = Shipper(KafkaTransport(noida.kafka_bootstrap, topic), tmp_path / "buf", batch=50, flush_seconds=0.05)
    shipper.start()
    events = [{"user": {"id": "D000001"}, "n": 0}, {"source": {"ip": "198.51.100.3"}, "n": 1},
              {"user": {"id": "D000001"}, "n": 2}]
    for event in events:
        shipper.submit(event)
    assert _wait(lambda: shipper.sent == 3, timeout=30)
    shipper.stop()
    consumer = KafkaConsumer(topic, bootstrap_servers=noida.kafka_bootstrap, auto_offset_reset="earliest",
                             consumer_timeout_ms=5000, receive_message_max_bytes=256 * 1024 * 1024)
    received = {}
    for message in consumer:
        received[message.key] = [orjson.loads(line)["n"] for line in message.value.split(b"\n")]
        if len(received) == 2:
            break
    consumer.close()
    assert received == {b"D000001": [0, 2], b"198.51.100.3": [1]}
