"""The database down is a 503 everywhere, and the same processes serve again when it is back.

A throwaway PostgreSQL cluster of the test's own (initdb + pg_ctl) is stopped under a steady
stream of API and page requests against two real server workers; a SQLite file is moved away
and back. Both are independent of the backend under test, so the module runs once, in the
SQLite pass of `make test` (PARK_TEST_BACKEND unset).
"""

from __future__ import annotations

import asyncio
import glob
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.builders import TEST_PASSWORD
from tests.support import free_port, live_server

pytestmark = pytest.mark.skipif(
    os.environ.get("PARK_TEST_BACKEND") == "postgres",
    reason="independent of the backend under test (its own cluster and file): runs in the SQLite pass",
)

LONGEST_ANSWER_S = 12.0
"""No answer may take longer while the database is gone: asyncpg's connect timeout (5 s) plus slack."""
BACK_WITHIN_S = 10.0
REPO = Path(__file__).resolve().parent.parent


# --- a PostgreSQL cluster of the test's own -----------------------------------------------


class ThrowawayCluster:
    """initdb + pg_ctl in a temporary directory on a free port; run as `postgres` when we are root."""

    def __init__(self, bin_dir: str) -> None:
        self.bin_dir = bin_dir
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="park-pgdown-")
        self.data = os.path.join(self.folder, "data")
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:  # the server refuses to run as root
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self.as_postgres, os.path.join(self.bin_dir, program), *args],
                       check=True, capture_output=True, text=True, timeout=60)

    def create(self) -> None:
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.folder, "server.log"), "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.folder, ignore_errors=True)


def _postgres_bin_dir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found or (os.geteuid() == 0 and (shutil.which("runuser") is None or not _has_user("postgres"))):
        return None
    return os.path.dirname(found[-1])


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture
def cluster() -> Iterator[ThrowawayCluster]:
    bin_dir = _postgres_bin_dir()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/pg_ctl) or no postgres OS user")
    made = ThrowawayCluster(bin_dir)
    try:
        made.create()
        made.start()
        yield made
    finally:
        made.remove()


# --- a Park base on a given database --------------------------------------------------------


def _park(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "park.cli", *args], env=os.environ | env, cwd=REPO,
                   check=True, capture_output=True, text=True, timeout=120)


def _prepare(database_url: str) -> dict[str, str]:
    """Migrate the database and store a manager; the environment a server needs for it."""
    env = {"PARK_DATABASE_URL": database_url, "PARK_PASSWORD": TEST_PASSWORD}
    _park(env, "db", "upgrade")
    _park(env, "user", "create", "--email", "manager@down.test", "--name", "Manager", "--role", "manager")
    return env


def _server_pids(base_url: str) -> set[int]:
    """The serving process and its workers (to show the same processes serve afterwards)."""
    port = base_url.rsplit(":", 1)[1]
    parents = set()
    children: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if b"serve" in cmdline and port.encode() in cmdline:
            parents.add(int(entry))
        children[int(entry)] = ppid
    return parents | {pid for pid, ppid in children.items() if ppid in parents}


@dataclass(frozen=True)
class Answer:
    label: str
    started: float
    seconds: float
    status: int | None  # None: no answer at all (a hang beyond the client's timeout, a reset)
    content_type: str
    code: str | None
    retry_after: str | None
    text: str


class Load:
    """A steady stream of API and page requests from a few threads until stopped."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        token = httpx.post(f"{base_url}/api/v1/auth/token",
                           json={"email": "manager@down.test", "password": TEST_PASSWORD}).json()["token"]
        self.api = {"Authorization": f"Bearer {token}"}
        self.cookies = self._sign_in()
        self._threads = [threading.Thread(target=self._loop, args=(n,), daemon=True) for n in range(3)]

    def _sign_in(self) -> httpx.Cookies:
        with httpx.Client(base_url=self.base_url) as web:
            form = web.get("/login")
            csrf = re.search(r'name="_csrf_token" value="([^"]+)"', form.text).group(1)
            signed_in = web.post("/login", data={"email": "manager@down.test", "password": TEST_PASSWORD,
                                                  "next": "/", "_csrf_token": csrf})
            assert signed_in.status_code == 303
            return web.cookies

    def requests(self, n: int) -> list[tuple[str, str, str, dict, dict | None]]:
        html_zh = {"Accept": "text/html", "Accept-Language": "zh-CN"}
        html_en = {"Accept": "text/html", "Accept-Language": "en"}
        return [
            ("api GET /api/v1/me", "GET", "/api/v1/me", self.api, None),
            ("api GET /api/v1/facilities", "GET", "/api/v1/facilities", self.api, None),
            ("api POST /api/v1/buildings", "POST", "/api/v1/buildings", self.api,
             {"name": f"楼{n}-{time.monotonic_ns()}", "code": f"D{n}{time.monotonic_ns() % 10**8}"}),
            ("api POST /api/v1/auth/token", "POST", "/api/v1/auth/token", {},
             {"email": "manager@down.test", "password": TEST_PASSWORD}),
            ("page GET / (zh)", "GET", "/", html_zh, None),
            ("page GET /facilities (en)", "GET", "/facilities", html_en, None),
            ("page GET /dashboard (zh)", "GET", "/dashboard", html_zh, None),
        ]

    def _loop(self, n: int) -> None:
        with httpx.Client(base_url=self.base_url, cookies=self.cookies, timeout=LONGEST_ANSWER_S + 10) as http:
            while not self._stop.is_set():
                for label, method, path, headers, body in self.requests(n):
                    started = time.monotonic()
                    try:
                        response = http.request(method, path, headers=headers, json=body)
                    except httpx.HTTPError as error:
                        self.answers.append(Answer(label, started, time.monotonic() - started, None, "", None, None, repr(error)))
                        continue
                    code = None
                    if "json" in response.headers.get("content-type", ""):
                        try:
                            code = response.json().get("code")
                        except ValueError:
                            pass
                    self.answers.append(Answer(label, started, time.monotonic() - started, response.status_code,
                                               response.headers.get("content-type", ""), code,
                                               response.headers.get("retry-after"), response.text))

    @contextmanager
    def running(self) -> Iterator[Load]:
        for thread in self._threads:
            thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            for thread in self._threads:
                thread.join(timeout=LONGEST_ANSWER_S + 15)

    def wait_for(self, count: int, since: float, timeout_s: float = 20) -> None:
        deadline = time.monotonic() + timeout_s
        while sum(a.started >= since for a in self.answers) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    def between(self, start: float, end: float) -> list[Answer]:
        return [a for a in self.answers if start <= a.started and a.started + a.seconds <= end]


def _is_success(answer: Answer) -> bool:
    return answer.status in (200, 201)


def assert_unavailable(answer: Answer) -> None:
    """A 503 in the form its caller reads: problem details for the API, a page for a browser."""
    assert answer.status == 503, answer
    assert answer.retry_after is not None and answer.retry_after.isdigit(), answer
    if answer.label.startswith("api"):
        assert answer.content_type.startswith("application/problem+json"), answer
        assert answer.code == "unavailable", answer
    else:
        assert answer.content_type.startswith("text/html"), answer
        expected = "temporarily unavailable" if "(en)" in answer.label else "数据库暂时不可用"
        assert expected in answer.text, answer
        # The page cannot know who is signed in (the sessions are in the database): it offers no sign-in either.
        assert 'href="/login' not in answer.text, answer


def assert_down_then_back(load: Load, go_down, come_back) -> None:
    """Run the load through the database going away and coming back; check every phase's answers."""
    up_since = time.monotonic()
    load.wait_for(20, up_since)
    up = load.between(up_since, time.monotonic())
    assert up and all(_is_success(a) for a in up), [a for a in up if not _is_success(a)][:3]

    going = time.monotonic()
    go_down()
    down_since = time.monotonic()
    load.wait_for(35, down_since)
    coming = time.monotonic()
    come_back()
    back_since = time.monotonic()
    deadline = back_since + BACK_WITHIN_S
    labels = {label for label, *_ in load.requests(0)}
    while time.monotonic() < deadline:
        served = {a.label for a in load.between(back_since, time.monotonic()) if _is_success(a)}
        if served == labels:
            break
        time.sleep(0.1)
    back_at = time.monotonic()

    everything = load.between(up_since, time.monotonic() + 60)
    assert all(a.status is not None and a.seconds <= LONGEST_ANSWER_S for a in everything), \
        [a for a in everything if a.status is None or a.seconds > LONGEST_ANSWER_S][:3]
    assert not [a for a in everything if a.status is not None and a.status >= 500 and a.status != 503][:3]

    down = load.between(down_since, coming)
    assert len(down) >= 20
    for answer in down:
        assert_unavailable(answer)
    in_between = load.between(going, down_since) + load.between(coming, back_at)
    for answer in in_between:  # the moments of change: served, or a clean 503
        if not _is_success(answer):
            assert_unavailable(answer)

    served = {a.label for a in load.between(back_since, back_at) if _is_success(a)}
    assert served == labels, f"not served again within {BACK_WITHIN_S} s: {labels - served}"


def test_postgresql_stopped_under_load_answers_503_and_the_same_workers_serve_again(cluster):
    env = _prepare(cluster.url)
    with live_server(workers=2, extra_env=env) as base_url:
        pids = _server_pids(base_url)
        assert len(pids) >= 3  # the supervisor and its two workers
        load = Load(base_url)
        with load.running():
            assert_down_then_back(load, cluster.stop, cluster.start)
        assert _server_pids(base_url) == pids
        assert httpx.get(f"{base_url}/healthz").json() == {"status": "ok", "database": "ok"}


def test_sqlite_file_moved_away_under_load_answers_503_and_the_same_workers_serve_again(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    env = _prepare(f"sqlite:///{folder}/park.db")
    away = tmp_path / "data-away"

    def move_away() -> None:
        # The folder is gone and a plain file stands in its place, so nothing can recreate it:
        # the file is unreachable for new connections, and open ones notice it was moved.
        folder.rename(away)
        folder.write_text("not a folder")

    def bring_back() -> None:
        folder.unlink()
        away.rename(folder)

    with live_server(workers=2, extra_env=env) as base_url:
        pids = _server_pids(base_url)
        load = Load(base_url)
        with load.running():
            assert_down_then_back(load, move_away, bring_back)
        assert _server_pids(base_url) == pids


def _park_connections(cluster: ThrowawayCluster) -> int:
    """Client connections the servers hold open on the cluster (a pool keeps at least one each)."""
    import asyncpg

    async def count() -> int:
        connection = await asyncpg.connect(cluster.url)
        try:
            return await connection.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
            )
        finally:
            await connection.close()

    return asyncio.run(count())


def test_a_server_started_while_postgresql_is_away_opens_its_pool_when_it_comes_back(cluster):
    env = _prepare(cluster.url)
    cluster.stop()
    with live_server(workers=2, extra_env=env) as base_url:
        assert httpx.get(f"{base_url}/healthz", timeout=5).status_code == 503
        cluster.start()
        deadline = time.monotonic() + BACK_WITHIN_S
        while httpx.get(f"{base_url}/healthz", timeout=5).status_code != 200:
            assert time.monotonic() < deadline, "not serving again after PostgreSQL came back"
            time.sleep(0.5)
        # Each worker holds a pool again, so connections stay open between requests
        # (without one, every query would open and close a connection of its own).
        deadline = time.monotonic() + BACK_WITHIN_S
        while _park_connections(cluster) < 2:
            assert time.monotonic() < deadline, "the workers never opened their connection pools"
            time.sleep(0.5)
        time.sleep(1)
        assert _park_connections(cluster) >= 2
