"""The real pre-commit runs mergegate's hooks from this checkout, as users run them.

`pre-commit try-repo` builds a fresh environment with `pip install` of the hook repository (only
PyPI is reached, for setuptools and PyYAML) and runs the hooks in a sample git repository: one
where every hook has something to find (each must fail with its finding lines; a Python rule the
sample has no case for is tried on its fixture), one where none has (all must pass).

The hook repository is a snapshot of this checkout's working tree, committed to a temporary git
repository: try-repo takes committed and tracked-modified files only, so on the checkout itself a
new, untracked hook module would silently be tested at its last commit, or not at all.

try-repo builds its environment in a store of its own every time (PRE_COMMIT_HOME is not used for
that: it only keeps pre-commit's files out of the home directory), so the hooks run together,
one try-repo per sample, and each hook's section of the output is checked on its own; the
single-hook form `try-repo REPO HOOK-ID` is run once each way. Four environment builds in all.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import FIXTURES, fixture_expectations, git, git_environment

from mergegate.gates.readme import GATE_HOOK_ID
from mergegate.hooks.registry import HOOK_IDS, RULES

DIRTY_APP = textwrap.dedent("""\
    from clients import Client

    counter = 0
    _client = None


    def load(path):
        try:
            return open(path).read()
        except:
            return ""


    def show():
        global counter
        print(counter)


    def get_client():
        global _client
        if _client is None:
            _client = Client()
        return _client
    """)

CLEAN_APP = textwrap.dedent("""\
    import logging
    import threading

    from clients import Client

    log = logging.getLogger(__name__)
    counter = 0
    _client = None
    _client_lock = threading.Lock()


    def load(path):
        try:
            return open(path).read()
        except OSError:
            return ""


    def load_or_complain(path):
        try:
            return open(path).read()
        except:
            log.warning("cannot read %s", path)
            raise


    def bump():
        global counter
        counter += 1


    def get_client():
        global _client
        with _client_lock:
            if _client is None:
                _client = Client()
        return _client


    if __name__ == "__main__":
        print(get_client())
    """)

CLEAN_TEST = "def test_load():\n    print('printing in tests is fine')\n"

COVERAGERC = "[report]\nfail_under = 90\n"
DIRTY_TOX = "[tox]\nenv_list = py\n\n[testenv]\ncommands = pytest --cov --cov-fail-under=85\n"
CLEAN_TOX = "[tox]\nenv_list = py\n\n[testenv]\ncommands = pytest --cov\n"

WORKFLOW = textwrap.dedent("""\
    name: release
    on: push
    jobs:
      release:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: twine upload dist/*
            env:
              TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
              GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}
    """)
DIRTY_SECRETS = "# Secrets\n\n- `OLD_DEPLOY_KEY`: SSH key of the old deploy host.\n"
CLEAN_SECRETS = "# Secrets\n\n- `PYPI_TOKEN`: API token of the PyPI project, scoped to uploads.\n"

CLIENTS = "class Client:\n    pass\n"

BLOCK_ON_EVERY_TIER = "[tool.mergegate]\nfail-on = 'P3'\n"
"""The sample blocks on every finding, so that each hook's failure shows (with the default,
P0, only bare-except and global-singleton-without-lock would fail the commit)."""

CLEAN_FILES = {
    "app.py": CLEAN_APP,
    "clients.py": CLIENTS,
    "tests/test_app.py": CLEAN_TEST,
    ".coveragerc": COVERAGERC,
    "tox.ini": CLEAN_TOX,
    ".github/workflows/release.yml": WORKFLOW,
    ".github/SECRETS.md": CLEAN_SECRETS,
}


def line_of(text: str, snippet: str) -> int:
    """The 1-based line of the one line of `text` that contains `snippet`."""
    numbers = [n for n, line in enumerate(text.splitlines(), start=1) if snippet in line]
    assert len(numbers) == 1, (snippet, numbers)
    return numbers[0]


def sample_expectations() -> dict[str, list[str]]:
    """Per hook the sample has a case for, regexes of the `path:line:col: CODE` starts its output
    must contain."""
    app = DIRTY_APP
    workflow = WORKFLOW
    return {
        "bare-except": [rf"app\.py:{line_of(app, 'except:')}:5: MG101 "],
        "unused-global": [rf"app\.py:{line_of(app, 'global counter')}:5: MG201 "],
        "debug-print": [rf"app\.py:{line_of(app, 'print(counter)')}:5: MG301 "],
        "global-singleton-without-lock": [
            rf"app\.py:{line_of(app, '_client = Client()')}:9: MG401 "
        ],
        "coverage-threshold-single-source": [
            rf"tox\.ini:{line_of(DIRTY_TOX, '--cov-fail-under=85')}:\d+: MG502 .*\b90\b"
        ],
        "secrets-documented": [
            rf"\.github/workflows/release\.yml:{line_of(workflow, 'PYPI_TOKEN')}:\d+: MG601 ",
            rf"\.github/SECRETS\.md:{line_of(DIRTY_SECRETS, 'OLD_DEPLOY_KEY')}:\d+: MG602 ",
        ],
    }


WITHOUT_A_CASE = [rule_id for rule_id in HOOK_IDS if rule_id not in sample_expectations()]
"""Hooks the sample has no case for (a rule just added): each is tried on its own fixture, a copy
of tests/fixtures/python/<rule-id>.py in the sample."""


def fixture_case(rule_id: str) -> tuple[str, str]:
    """A hook's fixture as a sample file, and the regex of its first expected finding."""
    assert RULES[rule_id].scope == "python", f"add a case for {rule_id} to the sample repository"
    path = FIXTURES / "python" / f"{rule_id}.py"
    options, expected = fixture_expectations(path)
    assert expected and not options, f"{path.name}: a fixture without options, with a finding"
    name = f"rules/{rule_id}.py"
    return name, rf"{re.escape(name)}:{expected[0].line}:\d+: {expected[0].code} "


SAMPLE_FILES = {
    "pyproject.toml": BLOCK_ON_EVERY_TIER,
    "app.py": DIRTY_APP,
    "clients.py": CLIENTS,
    ".coveragerc": COVERAGERC,
    "tox.ini": DIRTY_TOX,
    ".github/workflows/release.yml": WORKFLOW,
    ".github/SECRETS.md": DIRTY_SECRETS,
}
"""A repository where each hook the sample has a case for finds something."""
DIRTY_FILES = {
    **SAMPLE_FILES,
    **{
        fixture_case(rule_id)[0]: (FIXTURES / "python" / f"{rule_id}.py").read_text("utf-8")
        for rule_id in WITHOUT_A_CASE
    },
}


def expected_finding_lines() -> dict[str, list[str]]:
    """Per hook, regexes of the `path:line:col: CODE` starts its output must contain."""
    return {
        **sample_expectations(),
        **{rule_id: [fixture_case(rule_id)[1]] for rule_id in WITHOUT_A_CASE},
    }


def make_repository(root: Path, files: dict[str, str]) -> Path:
    """A git repository at `root` with `files` staged (pre-commit --all-files checks those)."""
    root.mkdir(parents=True)
    git(root, "init", "-q")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(root, "add", "-A")
    return root


def try_repo(
    hook_repo: Path, sample: Path, home: Path, *hook_id: str, verbose: bool = False
) -> subprocess.CompletedProcess[str]:
    env = git_environment()
    env["PRE_COMMIT_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), *hook_id, "--all-files"]
        + ["--color", "never"]
        + (["--verbose"] if verbose else []),
        cwd=sample,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


STATUS_LINE = re.compile(
    r"^mergegate(?: (?P<id>[a-z-]+))?\.+(?:\(no files to check\))?"
    r"(?P<status>Passed|Failed|Skipped)$",
    re.MULTILINE,
)


def sections(output: str) -> dict[str, tuple[str, str]]:
    """Each hook's (status, output below its status line) in a pre-commit run's output."""
    matches = list(STATUS_LINE.finditer(output))
    result = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(output)
        hook_id = match.group("id") or GATE_HOOK_ID
        result[hook_id] = (match.group("status"), output[match.end() : end])
    return result


def hook_problems(hook_id: str, status: str, body: str) -> list[str]:
    """What is wrong with one hook's section of the run on the repository with findings."""
    problems = [] if status == "Failed" else [f"status {status}"]
    if "- exit code: 1\n" not in body:
        problems.append("exit code is not 1")
    if "Traceback" in body:
        problems.append("a traceback")
    for pattern in expected_finding_lines()[hook_id]:
        if not re.search(rf"^{pattern}", body, re.MULTILINE):
            problems.append(f"no line matching {pattern!r}")
    return problems


def test_every_hook_fails_on_its_findings(
    checkout_snapshot: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    """One run of all six hooks (one environment build); each hook's section checked alone."""
    sample = make_repository(tmp_path / "sample", DIRTY_FILES)
    result = try_repo(checkout_snapshot, sample, pre_commit_home)
    assert result.returncode == 1, result.stdout + result.stderr
    found = sections(result.stdout)
    assert sorted(found) == sorted([GATE_HOOK_ID, *HOOK_IDS]), result.stdout
    assert found[GATE_HOOK_ID][0] == "Failed", result.stdout
    problems = {
        hook_id: problems
        for hook_id in HOOK_IDS
        if (problems := hook_problems(hook_id, *found[hook_id]))
    }
    assert problems == {}, result.stdout


def test_clean_repository_passes_every_hook(
    checkout_snapshot: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    sample = make_repository(tmp_path / "sample", CLEAN_FILES)
    result = try_repo(checkout_snapshot, sample, pre_commit_home)
    assert result.returncode == 0, result.stdout + result.stderr
    statuses = {hook_id: status for hook_id, (status, _) in sections(result.stdout).items()}
    assert statuses == dict.fromkeys([GATE_HOOK_ID, *HOOK_IDS], "Passed"), result.stdout


@pytest.mark.parametrize(
    ("hook_id", "files", "returncode"),
    [("bare-except", DIRTY_FILES, 1), ("secrets-documented", CLEAN_FILES, 0)],
    ids=["bare-except-fails", "secrets-documented-passes"],
)
def test_single_hook_by_id(
    hook_id: str,
    files: dict[str, str],
    returncode: int,
    checkout_snapshot: Path,
    pre_commit_home: Path,
    tmp_path: Path,
) -> None:
    sample = make_repository(tmp_path / "sample", files)
    result = try_repo(checkout_snapshot, sample, pre_commit_home, hook_id)
    assert result.returncode == returncode, result.stdout + result.stderr
    assert list(sections(result.stdout)) == [hook_id], result.stdout


# --- One verdict: every hook agrees with `mergegate run` ----------------------------------------

AGREE_CONFIG = textwrap.dedent("""\
    [tool.mergegate]
    fail-on = "P1"
    baseline = "mergegate-baseline.json"

    [tool.mergegate.severity]
    debug-print = "P3"
    """)
LEGACY_APP = "def old():\n    try:\n        pass\n    except:\n        pass\n"
"""A bare except the baseline records: held back, never blocking."""
NEW_APP = textwrap.dedent("""\
    counter = 0


    def show():
        global counter
        print(counter)


    def quiet():
        try:
            pass
        except:  # noqa: MG101
            pass
    """)
"""New: an unused global (P1: blocks at fail-on P1), a print (demoted to P3: reported, not
blocking) and a bare except silenced by its noqa."""

FINDING = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+):(?P<column>\d+): (?P<code>MG\d+) ", re.M)


def gate_json(sample: Path, *args: str) -> tuple[int, dict[str, object]]:
    """`mergegate run ARGS --format json`, from this checkout, in the sample repository."""
    result = subprocess.run(
        [sys.executable, "-m", "mergegate.gates.cli", "run", "--no-cache", *args]
        + ["--format", "json"],
        cwd=sample,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def new_findings(report: dict[str, object]) -> set[tuple[str, int, int, str]]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return {
        (entry["path"], entry["line"], entry["column"], entry["code"])
        for entry in findings
        if entry["state"] == "new"
    }


def printed_findings(body: str) -> set[tuple[str, int, int, str]]:
    return {
        (match["path"], int(match["line"]), int(match["column"]), match["code"])
        for match in FINDING.finditer(body)
    }


def test_every_hook_agrees_with_mergegate_run(
    checkout_snapshot: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    """A baseline, `fail-on = "P1"`, a severity override and a noqa: the gate hook and each
    single hook give `mergegate run`'s findings and exit status on the same files."""
    files = {
        **SAMPLE_FILES,
        "pyproject.toml": AGREE_CONFIG,
        "legacy.py": LEGACY_APP,
        "app.py": LEGACY_APP,
    }
    sample = make_repository(tmp_path / "sample", files)
    recorded = subprocess.run(
        [sys.executable, "-m", "mergegate.gates.cli", "baseline", "--no-cache"],
        cwd=sample,
        capture_output=True,
        text=True,
        check=False,
    )
    assert recorded.returncode == 0, recorded.stderr
    (sample / "app.py").write_text(LEGACY_APP + "\n\n" + NEW_APP, encoding="utf-8")
    git(sample, "add", "-A")
    result = try_repo(checkout_snapshot, sample, pre_commit_home, verbose=True)
    found = sections(result.stdout)
    assert sorted(found) == sorted([GATE_HOOK_ID, *HOOK_IDS]), result.stdout
    python_files = sorted(name for name in git(sample, "ls-files").split() if name.endswith(".py"))
    disagreements = {}
    for hook_id, (status, body) in found.items():
        if hook_id == GATE_HOOK_ID:
            code, report = gate_json(sample, *python_files)
        else:
            code, report = gate_json(sample, "--select", hook_id)
        expected_status = "Failed" if code else "Passed"
        if status != expected_status or printed_findings(body) != new_findings(report):
            disagreements[hook_id] = (status, printed_findings(body), new_findings(report))
        assert "Traceback" not in body
    assert disagreements == {}, result.stdout
    gate_status, gate_body = found[GATE_HOOK_ID]
    assert gate_status == "Failed"  # MG201 (P1) is new and blocks at fail-on P1
    assert "held back, not listed: 5 baselined, 1 suppressed" in gate_body  # SAMPLE_FILES' too
    debug_status, debug_body = found["debug-print"]
    assert debug_status == "Passed" and "[P3, not blocking at fail-on P1]" in debug_body
    bare_status, bare_body = found["bare-except"]
    assert bare_status == "Passed" and "held back, not listed: 2 baselined" in bare_body
    assert found["unused-global"][0] == "Failed"
    assert RULES["unused-global"].tier == "P1"
