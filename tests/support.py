"""Test support: the throw-away database of this run, a live server (builders: tests/builders.py)."""

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
from pathlib import Path
from typing import Iterator
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
