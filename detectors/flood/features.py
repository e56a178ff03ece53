"""Pure per-request features for flood detection: keys (network, path) and the signals of a real visitor."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

ASSET_SUFFIXES = (".css", ".js", ".mjs", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp",
                  ".woff", ".woff2", ".ttf", ".map")
ASSET_PREFIXES = ("/static/", "/assets/", "/img/", "/images/", "/favicon")
LOGIN_PATHS = frozenset({"/login", "/api/login", "/auth/login", "/api/auth/login"})
_ID_SEGMENT = re.compile(r"/(?:\d+|[0-9a-fA-F-]{16,}|[A-Za-z]{1,3}-?\d{2,})(?=/|$)")
MAX_PATH_KEY = 120


@dataclass(slots=True)
class Request:
    """What the flood detector needs from one `mlm.http` event."""

    ip: str
    network: str
    path: str  # normalized: ids collapsed, so /orders/17 and /orders/18 share one key
    client: str  # session id, else device id, else user agent: tells NAT users apart
    no_session: bool  # neither a session nor a device cookie: how flood requests look
    no_referrer: bool
    asset: bool  # CSS, JS, images: what a browser fetches after a page, and a flood tool does not
    login: bool
    failed: bool
    device: str | None


@lru_cache(maxsize=65_536)
def network_of(ip: str) -> str:
    """The /24 (IPv4) or /64 (IPv6) network of an address, as CIDR text."""
    if ":" not in ip:
        head, _, _ = ip.rpartition(".")
        return f"{head}.0/24" if head else ip
    try:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    except ValueError:
        return ip


@lru_cache(maxsize=16_384)
def normalize_path(path: str) -> str:
    """Path key: query dropped, numeric and id-like segments collapsed, length bounded."""
    path = path.split("?", 1)[0][:512] or "/"
    return _ID_SEGMENT.sub("/:id", path)[:MAX_PATH_KEY]


def is_asset(path: str) -> bool:
    return path.startswith(ASSET_PREFIXES) or path.endswith(ASSET_SUFFIXES)


@lru_cache(maxsize=16_384)
def path_features(raw_path: str, post: bool) -> tuple[str, bool, bool]:
    """(path key, is a login POST, is an asset fetch) of a request path."""
    path = normalize_path(raw_path)
    login = post and path.rstrip("/") in LOGIN_PATHS
    if post:
        return f"POST {path}", login, is_asset(raw_path)
    # A raw path "POST /login" must not share the login form's key (and its login threshold).
    return ("/" + path if path.startswith("POST ") else path), login, is_asset(raw_path)


def request_of(flat: dict[str, Any]) -> Request:
    """Extract the flood features of one HTTP event (missing fields are simply absent signals)."""
    get = flat.get
    ip = str(get("source.ip") or "unknown")
    method = get("http.request.method") or "GET"
    post = method == "POST" or (method != "GET" and str(method).upper() == "POST")
    key_path, login, asset = path_features(str(get("url.path") or "/"), post)
    session = get("mlm.session.id")
    device = get("mlm.device.id")
    client = str(session or device or get("user_agent.original") or "-")[:128]
    status = get("http.response.status_code")
    failed = get("event.outcome") == "failure" or (isinstance(status, int) and status >= 400)
    return Request(ip, network_of(ip), key_path, client, not (session or device), not get("http.request.referrer"),
                   asset, login, failed, str(device)[:128] if device else None)
