"""Test support: the throw-away database of this run, factories, a live server."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

import httpx

BACKEND = "postgres" if os.environ.get("PARK_TEST_BACKEND") == "postgres" else "sqlite"
_state: dict[str, str] = {}


def _admin_url(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def create_test_database() -> str:
    """A fresh, empty database for this test run; its URL."""
    if BACKEND == "postgres":
        import asyncpg

        server_url = os.environ.get("PARK_TEST_DATABASE_URL")
        if not server_url:
            raise RuntimeError("PARK_TEST_BACKEND=postgres needs PARK_TEST_DATABASE_URL")
        name = f"park_test_{os.getpid()}_{secrets.token_hex(3)}"

        async def create() -> None:
            connection = await asyncpg.connect(server_url)
            try:
                await connection.execute(f'CREATE DATABASE "{name}"')
            finally:
                await connection.close()

        asyncio.run(create())
        _state.update(server_url=server_url, name=name)
        return _admin_url(server_url, name)
    folder = tempfile.mkdtemp(prefix="park-test-")
    _state.update(folder=folder)
    return f"sqlite:///{folder}/park.db"


def drop_test_database() -> None:
    if BACKEND == "postgres" and "name" in _state:
        import asyncpg

        async def drop() -> None:
            connection = await asyncpg.connect(_state["server_url"])
            try:
                await connection.execute(f'DROP DATABASE IF EXISTS "{_state["name"]}" WITH (FORCE)')
            finally:
                await connection.close()

        asyncio.run(drop())
    elif "folder" in _state:
        shutil.rmtree(_state["folder"], ignore_errors=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_server(workers: int = 1, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """`park serve` as a real process (or several workers) on this run's database; yields its base URL."""
    port = free_port()
    env = os.environ | {"PARK_SCHEDULER_EMBEDDED": "false"} | (extra_env or {})
    # The server's log goes to a file: a pipe nobody reads fills up under load and stalls the server.
    log_file = tempfile.NamedTemporaryFile(prefix="park-server-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "park.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a loaded machine (several suites at once) starts slowly
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {Path(log_file.name).read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code in (200, 503):
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 60 s")
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log_file.close()
        if os.environ.get("PARK_TEST_KEEP_SERVER_LOG"):
            print(f"server log: {log_file.name}", file=sys.stderr)
        else:
            os.unlink(log_file.name)


@dataclass(frozen=True)
class Login:
    """A stored user and the headers that authenticate as it."""

    id: int
    email: str
    role: str
    tenant_id: int | None
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


TEST_PASSWORD = "correct-horse-battery-staple"


def make_uscc(seed: int) -> str:
    from park.tenants.rules import uscc_check_character

    body = f"91440300{seed:09d}"
    return body + uscc_check_character(body)


async def create_tenant(**overrides: Any) -> dict[str, Any]:
    from park.tenants.tables import Tenant

    seed = secrets.randbelow(10**9)
    values = {
        "name": f"测试企业{seed}",
        "name_en": f"Test Firm {seed}",
        "uscc": make_uscc(seed),
        "sector": "animation_games",
        "staff_count": 50,
        "rd_staff_count": 20,
        "ip_count": 5,
        "contact_email": f"office{seed}@firm.test",
    } | overrides
    tenant = Tenant(**values)
    await tenant.save()
    return tenant.to_dict()


async def create_user(role: str = "member", tenant_id: int | None = None, **overrides: Any) -> Login:
    from park.shared.actor import Actor
    from park.accounts.passwords import hash_password
    from park.accounts.service import issue_token
    from park.accounts.tables import User
    from park.settings import load_settings
    from park.shared.clock import utc_now

    email = overrides.pop("email", f"{role}{secrets.token_hex(4)}@firm.test")
    user = User(
        email=email,
        name=overrides.pop("name", f"Test {role}"),
        password_hash=hash_password(overrides.pop("password", TEST_PASSWORD)),
        role=role,
        tenant=tenant_id,
        calendar_token=secrets.token_urlsafe(24),
        **overrides,
    )
    await user.save()
    actor = Actor(id=user.id, email=email, name=user.name, role=role, tenant_id=tenant_id)
    token, _ = await issue_token(load_settings(), actor, utc_now())
    return Login(id=user.id, email=email, role=role, tenant_id=tenant_id, token=token)
