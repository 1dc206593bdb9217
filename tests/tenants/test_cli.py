"""`park tenant` commands: the same checks as the API."""

import os
import subprocess
import sys

from tests.builders import make_uscc


def park(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "park.cli", *args], capture_output=True, text=True, env=os.environ.copy(), timeout=60)


def test_a_firm_registered_from_the_command_line_is_listed(db):
    code = make_uscc(424242)
    created = park("tenant", "create", "--name", "命令行企业", "--uscc", code, "--sector", "arts_crafts", "--qualification", "original_brand")
    assert created.returncode == 0, created.stderr
    listed = park("tenant", "list", "--q", "命令行")
    assert code in listed.stdout and "original_brand" in listed.stdout


def test_a_bad_code_on_the_command_line_fails_with_a_message(db):
    result = park("tenant", "create", "--name", "坏企业", "--uscc", "91440300708461136U", "--sector", "arts_crafts")
    assert result.returncode == 1
    assert "check character" in result.stderr
