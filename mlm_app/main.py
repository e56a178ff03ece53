"""The MLM app's composition: settings -> database, keys, event emitter, shipper, middleware, routers."""

from __future__ import annotations

import importlib
import importlib.util
import ipaddress
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from mlm_app.db import init_db, make_engine, session_factory
from mlm_app.events.emitter import Emitter
from mlm_app.events.shipper import build_shipper
from mlm_app.security.crypto import KeyRing
from mlm_app.security.proxies import parse_networks
from mlm_app.security.ratelimit import RateLimiter
from mlm_app.settings import AppSettings
from mlm_app.web.handlers import install_handlers
from mlm_app.web.middleware import SecurityMiddleware

ROUTERS = ("mlm_app.accounts.router", "mlm_app.accounts.mfa_router", "mlm_app.accounts.reset_router",
           "mlm_app.center.router",
           "mlm_app.response.router", "mlm_app.profile.router", "mlm_app.privacy.router",
           "mlm_app.staff.router")
BUSINESS_ROUTER = "mlm_app.business.router"
log = logging.getLogger(__name__)


def keys_path(settings: AppSettings) -> Path:
    return Path(settings.data_dir) / "keys.json"


def _present(module: str) -> bool:
    """True when the module exists (optional domains and the separately built business package)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def create_app(settings: AppSettings | None = None) -> FastAPI:
    """Build the app; nothing global is touched, so tests can build several side by side."""
    settings = settings or AppSettings()
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db_url())
    init_db(engine)
    shipper = build_shipper(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if shipper is not None:
            shipper.start()
        yield
        if shipper is not None:
            shipper.stop()
        engine.dispose()

    app = FastAPI(title="MLM App", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    state = app.state
    state.settings, state.engine, state.db_factory = settings, engine, session_factory(engine)
    state.keys = KeyRing.load(keys_path(settings), settings.secret_key)
    state.shipper = shipper
    state.emitter = Emitter([shipper.submit] if shipper is not None else [])
    state.trusted_networks = parse_networks(settings.trusted_proxies)
    state.login_limiter = RateLimiter(settings.ip_login_limit, 60.0)
    state.home_links = []
    app.add_middleware(SecurityMiddleware)
    install_handlers(app)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")

    @app.get("/health")
    def health(request: Request) -> dict[str, object]:
        """Liveness; the shipper's backlog only for local or proxy-network monitors (a growing backlog
        tells an attacker the SIEM is not receiving, the moment to strike)."""
        if not _local_monitor(request):
            return {"status": "ok"}
        if shipper is None:
            return {"status": "ok", "shipper": "off"}
        return {"status": "ok", "shipper": {"queued": shipper.queued(), "buffered_batches":
                                            shipper.buffer.pending_batches(), "sent": shipper.sent}}

    for name in ROUTERS:
        if _present(name):
            app.include_router(importlib.import_module(name).router)
    if _present(BUSINESS_ROUTER):
        _mount_business(app)
    return app


def _local_monitor(request: Request) -> bool:
    """True for loopback callers and those inside the trusted proxy networks."""
    try:
        address = ipaddress.ip_address(request.state.client_ip)
    except ValueError:
        return False
    return address.is_loopback or any(address in net for net in request.app.state.trusted_networks)


def _mount_business(app: FastAPI) -> None:
    """Mount the business domains; if that package is broken the platform still serves (loudly)."""
    try:
        module = importlib.import_module(BUSINESS_ROUTER)
    except ImportError:
        log.exception("mlm_app.business could not be imported; business pages are unavailable")
        return
    setup = getattr(module, "setup", None)
    if callable(setup):
        setup(app)  # lets the business package add home links, template folders, services
    app.include_router(module.router)
