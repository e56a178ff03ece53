"""One embedded stack (`mlm-siem up --no-demo`) on free ports, shared by the end-to-end tests."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyotp
import pytest

from builders import csrf_fields, free_port


@dataclass
class Stack:
    info: dict
    process: subprocess.Popen
    data_dir: Path

    @property
    def app_url(self) -> str:
        return self.info["urls"]["app"]

    @property
    def dashboard_url(self) -> str:
        return self.info["urls"]["dashboard"]

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}"
                         for p in sorted((self.data_dir / "logs").glob("*.log")))

    def api_token(self, role: str = "analyst") -> str:
        out = subprocess.run([sys.executable, "-m", "mlm_siem", "token", "create", "--kind", "api", "--role", role,
                              "--data-dir", str(self.data_dir)], capture_output=True, text=True, check=True)
        return out.stdout.strip()

    def dashboard_session(self) -> httpx.Client:
        """A dashboard client logged in as the first admin (password, then TOTP)."""
        admin = self.info["dashboard_admin"]
        client = httpx.Client(base_url=self.dashboard_url, timeout=10, follow_redirects=True)
        page = client.get("/login")
        page = client.post("/login", data={**csrf_fields(page.text), "username": admin["username"],
                                           "password": admin["password"]})
        code = pyotp.TOTP(admin["totp_secret"]).now()
        page = client.post(page.url.path, data={**csrf_fields(page.text), "code": code})
        assert page.status_code == 200, page.text[:500]
        return client


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    data_dir = tmp_path_factory.mktemp("stack")
    ports = {"app": free_port(), "collector": free_port(), "dashboard": free_port()}
    process = subprocess.Popen(
        [sys.executable, "-m", "mlm_siem", "up", "--data-dir", str(data_dir), "--no-demo",
         "--app-port", str(ports["app"]), "--collector-port", str(ports["collector"]),
         "--dashboard-port", str(ports["dashboard"])],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    stack_file = data_dir / "stack.json"
    deadline = time.monotonic() + 120
    while not stack_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            stack = Stack({}, process, data_dir)
            pytest.fail(f"stack did not start:\n{process.stdout.read()}\n{stack.logs()}")
        time.sleep(0.2)
    stack = Stack(json.loads(stack_file.read_text()), process, data_dir)
    yield stack
    process.send_signal(signal.SIGINT)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("mlm-siem up did not stop on Ctrl-C")
