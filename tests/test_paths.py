"""Path display and glob matching (hooks/paths.py), shared by every hook and the gate."""

from __future__ import annotations

import fnmatch
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mergegate.hooks.paths import display, glob_match


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        # No `/`: the file name or any folder name, at any depth.
        ("test_*.py", "test_app.py", True),
        ("test_*.py", "pkg/sub/test_app.py", True),
        ("test_*.py", "app_test.py", False),
        ("test_*.py", "pkg/test_app.pyc", False),
        ("*_test.py", "pkg/app_test.py", True),
        ("conftest.py", "a/b/conftest.py", True),
        ("conftest.py", "a/b/conftest.pyi", False),
        ("build", "build/lib/x.py", True),
        ("build", "src/build/x.py", True),
        ("build", "rebuild/x.py", False),
        ("?.py", "a.py", True),
        ("?.py", "ab.py", False),
        # `[...]` classes.
        ("[ab].py", "a.py", True),
        ("[ab].py", "pkg/b.py", True),
        ("[ab].py", "c.py", False),
        ("[!ab].py", "c.py", True),
        ("src/[ab]/*.py", "src/a/x.py", True),
        ("src/[ab]/*.py", "src/c/x.py", False),
        # `**` spans any number of folders, none included.
        ("**/tests/**", "tests/test_app.py", True),
        ("**/tests/**", "pkg/tests/unit/test_app.py", True),
        ("**/tests/**", "pkg/testsuite/test_app.py", False),
        ("**/tests/**", "pkg/tests.py", False),
        ("src/**/test_*.py", "src/test_a.py", True),
        ("src/**/test_*.py", "src/x/y/test_a.py", True),
        ("src/**/test_*.py", "lib/src/test_a.py", False),
        # With a `/` the pattern is anchored at the root, and `*` stays inside one folder.
        ("examples/**", "examples/app/clients.py", True),
        ("examples/**", "examples", True),
        ("examples/**", "src/examples/app.py", False),
        ("examples/**", "examples.py", False),
        ("src/*.py", "src/a.py", True),
        ("src/*.py", "src/sub/a.py", False),
        ("docs/conf.py", "docs/conf.py", True),
        ("docs/conf.py", "src/docs/conf.py", False),
        # A trailing `/` means the folder and everything in it.
        ("vendor/", "vendor/lib.py", True),
        ("vendor/", "vendor/sub/lib.py", True),
        ("vendor/", "vendor.py", False),
        ("vendor/", "vendored/lib.py", False),
        # `./` and surrounding blanks do not matter.
        ("tests/**", "./tests/a.py", True),
        (" *.py ", "a.py", True),
    ],
)
def test_glob_match(pattern: str, path: str, matches: bool) -> None:
    assert glob_match(path, pattern) is matches


NAME = st.text(alphabet="ab.-_", max_size=6)
SEGMENT_PATTERN = st.text(alphabet="ab.*?[]!-", max_size=8)


@given(name=NAME, pattern=SEGMENT_PATTERN)
def test_one_segment_matches_as_fnmatch_does(name: str, pattern: str) -> None:
    """Our `*`/`?` matcher (which avoids loading `re`) agrees with fnmatch on a file name."""
    assume(name not in ("", "."))  # not file names: a path drops them
    assert glob_match(name, pattern) == fnmatch.fnmatchcase(name, pattern)


@pytest.mark.parametrize(
    "pattern, path",
    [
        ("*a*a*a*a*a*a*a*a*b", "a" * 30),
        ("/".join(["**"] * 10) + "/x/y.py", "/".join(["d"] * 40) + "/z.py"),
        ("**/*a*a*a*a*a*a*a*a*b/**", "/".join(["a" * 30] * 30)),
    ],
)
def test_matching_takes_linear_time(pattern: str, path: str) -> None:
    """These took 20 s and more with backtracking; a hang would fail the subprocess's timeout."""
    code = f"from mergegate.hooks.paths import glob_match; print(glob_match({path!r}, {pattern!r}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=10)
    assert result.stdout == b"False\n"


def test_display_is_relative_and_slash_separated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert display(str(tmp_path / "pkg" / "mod.py")) == "pkg/mod.py"
    assert display(os.path.join("pkg", "..", "mod.py")) == "mod.py"
    assert display(str(tmp_path)) == "."
    assert display("pkg/mod.py", start=str(tmp_path / "pkg")) == "mod.py"


def test_display_outside_the_start_is_absolute(tmp_path: Path) -> None:
    inside = tmp_path / "project"
    outside = tmp_path / "elsewhere" / "mod.py"
    assert display(str(outside), start=str(inside)) == outside.as_posix()
    assert display(str(tmp_path / "projectile.py"), start=str(inside)).startswith("/")
