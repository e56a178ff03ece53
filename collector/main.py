"""The collector's HTTP face: `POST /v1/events` (bearer ingest token) and `GET /health`.

Every client mistake is a 4xx with a reason; a fault of our own is a logged 503 without details.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from collector.batch import IngestResult, Overloaded
from collector.body import BodyError, check_headers, gunzip, records
from collector.enrich import Clock, utc_now
from collector.pipeline import Pipeline
from collector.quarantine import log_crash
from collector.settings import CollectorSettings
from core.bus import Bus
from core.store import EventStore
from core.tokens import TokenStore

log = logging.getLogger(__name__)

MAX_LISTED_REJECTIONS = 1000  # the answer stays small even for a body of 10,000 bad lines


def create_app(
    settings: CollectorSettings, store: EventStore, bus: Bus, tokens: TokenStore, *, clock: Clock = utc_now
) -> FastAPI:
    """The collector app; its lifespan starts and stops the pipeline (the caller closes store and bus)."""
    pipeline = Pipeline(settings, store, bus, clock=clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pipeline.start()
        try:
            yield
        finally:
            await run_in_threadpool(pipeline.stop)

    app = FastAPI(title="mlm-siem collector", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.pipeline = pipeline
    # Bounds the bodies and parsed events held in memory at once; waiting requests hold nothing.
    slots = asyncio.Semaphore(settings.max_concurrent_ingests)

    @app.get("/health")
    def health() -> Response:
        body = pipeline.health()
        return _json(200 if body["status"] != "stopped" else 503, body)

    @app.post("/v1/events")
    async def ingest(request: Request) -> Response:
        try:
            return await _ingest(request, settings, pipeline, tokens, slots)
        except BodyError as exc:
            return _json(exc.status, {"accepted": 0, "rejected": [], "error": exc.reason})
        except Overloaded as exc:
            headers = {"Retry-After": str(exc.retry_after)}
            return _json(429, {"accepted": 0, "rejected": [], "error": exc.reason}, headers)
        except ClientDisconnect:
            return _json(400, {"accepted": 0, "rejected": [], "error": "client disconnected"})
        except Exception as exc:  # noqa: BLE001 -- our fault, not the client's: log it, answer without internals
            log_crash(log, "ingest failed", exc)
            headers = {"Retry-After": "5"}
            return _json(503, {"accepted": 0, "rejected": [], "error": "collector unavailable"}, headers)

    return app


async def _ingest(request: Request, settings: CollectorSettings, pipeline: Pipeline, tokens: TokenStore,
                  slots: asyncio.Semaphore) -> Response:
    if not _authorized(request, tokens):
        return _json(401, {"accepted": 0, "rejected": [], "error": "missing or invalid ingest token"},
                     {"WWW-Authenticate": "Bearer"})
    media, gzipped = check_headers(request.headers.get("content-type"), request.headers.get("content-encoding"))
    reason = pipeline.overload_reason()  # before reading a body we would refuse anyway
    if reason:
        raise Overloaded(reason)
    try:
        await asyncio.wait_for(slots.acquire(), settings.ingest_wait_seconds)
    except TimeoutError:
        raise Overloaded("too many requests in progress") from None
    try:
        raw = await _read_body(request, settings.max_body_bytes)
        result = await run_in_threadpool(_process, raw, media, gzipped, settings, pipeline)
    finally:
        slots.release()
    return _answer(result)


def _authorized(request: Request, tokens: TokenStore) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return tokens.verify("ingest", token.strip()) is not None


async def _read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 as soon as it passes `limit` (never buffered beyond it)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyError(413, f"body larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyError(413, f"body larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _process(raw: bytes, media: str, gzipped: bool, settings: CollectorSettings, pipeline: Pipeline) -> IngestResult:
    body = gunzip(raw, settings.max_body_bytes) if gzipped else raw
    return pipeline.ingest(records(body, media, settings.max_lines))


def _answer(result: IngestResult) -> Response:
    listed = [{"line": r.line, "reason": r.reason} for r in result.rejected[:MAX_LISTED_REJECTIONS]]
    body: dict[str, Any] = {"accepted": result.accepted, "rejected": listed}
    if len(result.rejected) > len(listed):
        body["rejected_total"] = len(result.rejected)
    if result.accepted:
        return _json(200, body)
    if not result.rejected:
        return _json(400, {**body, "error": "no events in body: send one JSON event per line"})
    status = 413 if any(r.too_large for r in result.rejected) else 400
    return _json(status, {**body, "error": "no event in the body was acceptable"})


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)
