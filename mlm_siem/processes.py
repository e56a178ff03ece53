"""Child processes of `mlm-siem up`: port checks, spawning, health waits and an orderly stop.

Children run in their own sessions, so a terminal's Ctrl-C reaches only `up`, which then stops them
in order (traffic first, the SIEM last, so the app's shipper can deliver its final batch). On Linux
each child also gets SIGTERM from the kernel if `up` itself dies, so none is ever orphaned.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

PR_SET_PDEATHSIG = 1


@dataclass
class Child:
    name: str
    url: str | None
    process: subprocess.Popen
    log: Path


def port_problem(host: str, port: int) -> str | None:
    """Why `port` cannot be bound on `host` right now, or None when it is free."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: TIME_WAIT is fine
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return "is already in use"
            return f"cannot be bound ({exc.strerror})"
    return None


def _die_with_parent(parent: int) -> None:
    """In the child before exec (Linux): SIGTERM when the parent exits, even if it was killed."""
    name = ctypes.util.find_library("c")
    if sys.platform.startswith("linux") and name:
        ctypes.CDLL(name, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)


def spawn(name: str, url: str | None, argv: list[str], env: dict[str, str], log_dir: Path) -> Child:
    """Start `python -m mlm_siem ARGV...` with its output appended to LOG_DIR/NAME.log."""
    log_path = log_dir / f"{name}.log"
    parent = os.getpid()
    with open(log_path, "ab") as log:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "mlm_siem", *argv], env={**os.environ, **env}, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=lambda: _die_with_parent(parent),  # noqa: PLW1509 - `up` starts no threads
        )
    return Child(name, url, process, log_path)


def wait_healthy(children: list[Child], timeout: float = 180.0) -> Child | None:
    """None when every service answers /health; else the first child that died or stayed silent."""
    deadline = time.monotonic() + timeout
    pending = [c for c in children if c.url]
    with httpx.Client(timeout=1.0) as http:
        while pending and time.monotonic() < deadline:
            for child in list(pending):
                if child.process.poll() is not None:
                    return child
                try:
                    if http.get(f"{child.url}/health").status_code == 200:
                        pending.remove(child)
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
    return pending[0] if pending else None


def log_tail(child: Child, lines: int = 15) -> str:
    """The end of a child's log, for an error message."""
    try:
        text = child.log.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def stop_all(children: list[Child], grace: float = 10.0) -> None:
    """SIGTERM each child in the given order and wait for it; SIGKILL any that does not go in time."""
    for child in children:
        if child.process.poll() is None:
            child.process.terminate()
            try:
                child.process.wait(grace)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait(5)
