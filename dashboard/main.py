"""The dashboard application: `create_app(settings) -> FastAPI` wires domains, security and the worker."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from core.store import EventQuery, EventStore
from dashboard.context import AppContext, Clock, build_context
from dashboard.deps import ApiUnauthorized, Forbidden, LoginRequired, Viewer
from dashboard.security import apply_headers, printable
from dashboard.settings import DashboardSettings
from dashboard.web import redirect, render

STATIC_DIR = Path(__file__).parent / "static"
log = logging.getLogger(__name__)


def create_app(
    settings: DashboardSettings | None = None, clock: Clock | None = None, store: EventStore | None = None
) -> FastAPI:
    """Build the app; `clock` and `store` may be injected (tests, composition root)."""
    settings = settings or DashboardSettings()
    ctx = build_context(settings, clock, store)
    from dashboard.response.service import policy
    from dashboard.worker import AlertWorker

    policy(ctx)  # a broken response policy file stops the start with a clear PolicyError

    worker = AlertWorker(ctx)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.worker_enabled:
            worker.start()
        yield
        worker.stop()
        ctx.close()

    app = FastAPI(
        title="mlm-siem dashboard",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    app.state.worker = worker
    _install_security(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _include_routers(app)
    _install_basics(app, ctx)
    return app


DOMAINS = ("analysts", "alerts", "incidents", "search", "overview", "rules", "response", "api")


def _include_routers(app: FastAPI) -> None:
    import importlib

    for domain in DOMAINS:
        app.include_router(importlib.import_module(f"dashboard.{domain}.router").router)


def _install_security(app: FastAPI) -> None:
    ctx_settings = app.state.ctx.settings

    @app.middleware("http")
    async def headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        try:
            response = await call_next(request)
        except Exception:
            log.exception(
                "unhandled error in %s %s", printable(request.method, 16), printable(request.url.path)
            )
            response = JSONResponse({"detail": "internal error"}, status_code=500)
        tls = ctx_settings.cookie_secure or request.url.scheme == "https"
        apply_headers(response, request.url.path, tls)
        return response

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "authentication required"}, status_code=401)
        return redirect("/login")

    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, exc: RequestValidationError) -> Response:
        """422 naming the bad fields only: FastAPI's default echoes the input (passwords, codes)."""
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))[:200]} for e in exc.errors()[:20]
        ]
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": errors}, status_code=422)
        return render(request, "error.html", status=422, message="The request was not valid.")

    @app.exception_handler(ApiUnauthorized)
    async def api_unauthorized(_request: Request, _exc: ApiUnauthorized) -> Response:
        return JSONResponse(
            {"detail": "a valid api token is required"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, _exc: Forbidden) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "forbidden"}, status_code=403)
        return render(request, "error.html", status=403, message="You are not allowed to do that.")


def _install_basics(app: FastAPI, ctx: AppContext) -> None:
    @app.get("/health", include_in_schema=False)
    def health() -> JSONResponse:
        """Liveness and whether the database and store answer (no details for anonymous callers)."""
        checks = {
            "database": _check(lambda: _ping(ctx)),
            "store": _check(lambda: ctx.store.count_events(EventQuery(size=1))),
        }
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ok" if ok else "degraded", **checks}, status_code=200 if ok else 503)

    @app.get("/", include_in_schema=False)
    def home(who: Viewer) -> Response:
        return redirect("/overview")


def _ping(ctx: AppContext) -> None:
    with ctx.db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def _check(probe: object) -> str:
    try:
        probe()  # type: ignore[operator]
        return "ok"
    except Exception:  # noqa: BLE001 - health reports any failure as down
        return "down"
