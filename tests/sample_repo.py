"""A git repository with findings of every kind in many files, for the speed features' tests: the
cache, parallel checking and shards must give the same Outcome as a plain serial run on it."""

from __future__ import annotations

from pathlib import Path

from helpers import git

from mergegate.gates.cli import main

BARE = "try:\n    work()\nexcept:\n    pass\n"
UNUSED_GLOBAL = "def reset():\n    global _count\n    return _count\n"
PRINT = "def show(value):\n    print(value)\n"
SINGLETON = (
    "_client = None\n\n\ndef client():\n    global _client\n    if _client is None:\n"
    "        _client = Client()\n    return _client\n"
)
SUPPRESSED = "try:\n    work()\nexcept:  # noqa: MG101\n    pass\n"
CLEAN = "def add(a, b):\n    return a + b\n"
PARTS = (BARE, UNUSED_GLOBAL, PRINT, SINGLETON, SUPPRESSED, CLEAN)


def module_text(number: int) -> str:
    """A module holding a different mix of findings for each number (some none at all)."""
    chosen = [part for index, part in enumerate(PARTS) if number % (index + 2) == 0]
    return f'"""Module {number}."""\n\n' + "\n\n".join(chosen or [CLEAN])


def build(root: Path, modules: int = 60) -> Path:
    """The repository at `root`: `modules` Python files in nested packages, a file that does not
    parse and one that does not decode, coverage thresholds in two places and a workflow using an
    undocumented secret (repository-wide findings), committed."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    (root / "pyproject.toml").write_text(
        '[tool.mergegate]\nfail-on = "P1"\n\n[tool.coverage.report]\nfail_under = 90\n'
    )
    (root / "setup.cfg").write_text("[tool:pytest]\naddopts = --cov-fail-under=80\n")
    workflows = root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text(
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: deploy\n        env:\n          TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n"
    )
    for number in range(modules):
        package = root / "src" / f"package_{number % 5}" / f"sub_{number % 3}"
        package.mkdir(parents=True, exist_ok=True)
        (package / f"module_{number}.py").write_text(module_text(number))
    (root / "src" / "broken.py").write_text("def broken(:\n    pass\n")
    (root / "src" / "latin.py").write_bytes(b"name = '\xe9'\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "sample")
    return root


def run_json(*args: str) -> tuple[int, str]:
    """`mergegate run ARGS --format json:FILE` in the current directory: exit status, report."""
    out = Path("report.json")
    code = main(["run", *args, "--format", f"json:{out}"])
    text = out.read_text(encoding="utf-8")
    out.unlink()
    return code, text
