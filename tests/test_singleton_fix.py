"""The fix of global-singleton-without-lock (hooks/global_singleton_without_lock/fix.py):
double-checked locking with a lock next to the shared target, through `mergegate run --fix
--unsafe-fixes`; each shape's before and after, the fixed code no longer reported, a re-entrant
lock reused, the shapes it leaves alone, and always unsafe."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest
from helpers import check_python

from mergegate.gates.cli import main
from mergegate.hooks.finding import UNSAFE

OPTIONS = ("--select", "global-singleton-without-lock", "--no-cache")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    (root / "pyproject.toml").write_text('[tool.mergegate]\nfail-on = "never"\n')
    monkeypatch.chdir(root)
    return root


def fixed(repo: Path, before: str) -> str:
    """The file after --fix --unsafe-fixes; it then has no finding, and --fix alone changes
    nothing (the fix is unsafe)."""
    (repo / "m.py").write_text(textwrap.dedent(before))
    main(["run", "--fix", *OPTIONS, "m.py"])
    assert (repo / "m.py").read_text() == textwrap.dedent(before)
    main(["run", "--fix", "--unsafe-fixes", *OPTIONS, "m.py"])
    after = (repo / "m.py").read_text()
    compile(after, "m.py", "exec")
    assert check_python("global-singleton-without-lock", after) == []
    return after


def test_a_module_global_gets_a_lock_and_double_checked_locking(repo: Path) -> None:
    before = '''\
        """Clients."""
        from __future__ import annotations

        import os

        _client = None


        def get_client():
            global _client
            if _client is None:
                _client = make(os.environ)  # the expensive part
            return _client
        '''
    assert fixed(repo, before) == textwrap.dedent('''\
        """Clients."""
        from __future__ import annotations

        import os
        import threading

        _client = None
        _client_lock = threading.Lock()


        def get_client():
            global _client
            if _client is None:
                with _client_lock:
                    if _client is None:
                        _client = make(os.environ)  # the expensive part
            return _client
        ''')


def test_a_re_entrant_lock_of_the_module_is_reused_and_else_kept(repo: Path) -> None:
    before = """\
        import threading

        _client = None
        _guard = threading.RLock()


        def get_client():
            global _client
            if not _client:
                _client = Client()
                _client.connect()
            else:
                _client.ping()
            return _client
        """
    assert fixed(repo, before) == textwrap.dedent("""\
        import threading

        _client = None
        _guard = threading.RLock()


        def get_client():
            global _client
            if not _client:
                with _guard:
                    if not _client:
                        _client = Client()
                        _client.connect()
            else:
                _client.ping()
            return _client
        """)


def test_a_class_attribute_gets_a_class_lock(repo: Path) -> None:
    before = """\
        import threading


        class Registry:
            _instance = None

            @classmethod
            def get(cls):
                if cls._instance is None:
                    cls._instance = cls()
                return cls._instance
        """
    after = fixed(repo, before)
    assert "    _instance = None\n    _instance_lock = threading.Lock()\n" in after
    assert (
        "            with cls._instance_lock:\n                if cls._instance is None:\n" in after
    )


def test_a_coroutine_gets_an_asyncio_lock(repo: Path) -> None:
    before = """\
        _session = None


        async def session():
            global _session
            if _session is None:
                _session = await open_session()
            return _session
        """
    after = fixed(repo, before)
    assert after.startswith("import asyncio\n_session = None\n_session_lock = asyncio.Lock()\n")
    assert "        async with _session_lock:\n            if _session is None:\n" in after


def test_a_creation_under_the_lock_is_checked_again(repo: Path) -> None:
    before = """\
        import threading

        _conn = None
        _lock = threading.Lock()


        def get_conn():
            global _conn
            if _conn is None:
                with _lock:
                    _conn = connect()
            return _conn
        """
    assert fixed(repo, before) == textwrap.dedent(before).replace(
        "            _conn = connect()\n",
        "            if _conn is None:\n                _conn = connect()\n",
    )


BOUND = "_x = None\n\n\n"


@pytest.mark.parametrize(
    "text",
    [
        # an early return: the creation is not in the body of the check
        BOUND + "def get():\n    global _x\n    if _x is not None:\n        return _x\n"
        "    _x = Client()\n",
        # a string spanning lines would change if indented
        BOUND + 'def get():\n    global _x\n    if _x is None:\n        _x = Client("""a\nb""")\n',
        # the body on the line of the `if`
        BOUND + "def get():\n    global _x\n    if _x is None: _x = Client()\n",
        # `:=` in the test would run again
        BOUND + "def get():\n    global _x\n    if (y := _x) is None:\n        _x = Client()\n",
        # no module-level binding to put the lock next to
        "def get():\n    global _x\n    if _x is None:\n        _x = Client()\n",
    ],
)
def test_shapes_it_does_not_rewrite_get_no_fix(text: str) -> None:
    findings = check_python("global-singleton-without-lock", text)
    assert findings and all(finding.fix is None for finding in findings)


def test_the_fix_is_unsafe() -> None:
    text = "_x = None\n\n\ndef get():\n    global _x\n    if _x is None:\n        _x = Client()\n"
    (finding,) = check_python("global-singleton-without-lock", text)
    assert finding.fix is not None and finding.fix.safety == UNSAFE
