"""`.pre-commit-hooks.yaml` agrees with the registry, pyproject.toml, pre-commit, the README and
the rule reference (docs/rules.md)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mergegate.gates.readme import GATE_HOOK_ID, manifest
from mergegate.hooks.registry import HOOK_IDS, RULES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

REPO_ROOT = Path(__file__).resolve().parent.parent
MANIFEST = REPO_ROOT / ".pre-commit-hooks.yaml"


def manifest_hooks() -> list[dict[str, object]]:
    hooks = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    return hooks


def hook(hook_id: str) -> dict[str, object]:
    (found,) = [entry for entry in manifest_hooks() if entry["id"] == hook_id]
    return found


def test_manifest_is_generated_from_the_registry() -> None:
    assert MANIFEST.read_text(encoding="utf-8") == manifest(), "python -m mergegate.gates.readme"


def test_manifest_ids_are_the_gate_then_the_registry_hook_ids_in_order() -> None:
    assert [entry["id"] for entry in manifest_hooks()] == [GATE_HOOK_ID, *HOOK_IDS]


def test_the_gate_hook_runs_the_gate_on_python_files_and_always_once() -> None:
    entry = hook(GATE_HOOK_ID)
    assert entry["entry"] == "mergegate hook"
    assert entry["types_or"] == ["python", "pyi"]
    assert entry["always_run"] is True and entry["require_serial"] is True


@pytest.mark.parametrize("hook_id", HOOK_IDS)
def test_entry_is_the_console_script_of_the_rule_module(hook_id: str) -> None:
    scripts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    entry = hook(hook_id)["entry"]
    assert entry == f"mergegate-{hook_id}"
    assert scripts[entry] == f"mergegate.hooks.entry:{RULES[hook_id].module}"
    module = REPO_ROOT / "hooks" / RULES[hook_id].module  # a module, or a package of them
    assert module.with_suffix(".py").is_file() or (module / "__init__.py").is_file()


def test_console_scripts_are_the_gate_and_one_per_hook() -> None:
    scripts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    assert set(scripts) == {"mergegate", *(f"mergegate-{hook_id}" for hook_id in HOOK_IDS)}


@pytest.mark.parametrize("hook_id", HOOK_IDS)
def test_hook_runs_on_python_files_or_once_per_repository(hook_id: str) -> None:
    entry = hook(hook_id)
    assert entry["language"] == "python"
    if RULES[hook_id].scope == "python":
        assert entry["types_or"] == ["python", "pyi"]
        assert "pass_filenames" not in entry and "always_run" not in entry
    else:
        assert RULES[hook_id].scope == "repo"
        assert entry["pass_filenames"] is False
        assert entry["always_run"] is True
        assert "types" not in entry and "types_or" not in entry and "files" not in entry


def test_pre_commit_validates_the_manifest() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(MANIFEST)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("hook_id", [GATE_HOOK_ID, *HOOK_IDS])
def test_readme_shows_the_hook_in_a_pre_commit_snippet(hook_id: str) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(
        rf"^\s*- id: {re.escape(hook_id)}$", readme, re.MULTILINE
    ), f"README.md's pre-commit snippet does not list {hook_id}"


def test_readme_has_a_pre_commit_section_leading_with_the_gate_hook() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("\n## pre-commit\n") :]
    assert section.index(f"- id: {GATE_HOOK_ID}\n") < section.index(f"- id: {HOOK_IDS[0]}\n")


@pytest.mark.parametrize("hook_id", HOOK_IDS)
def test_each_hooks_rule_is_documented_and_linked_from_the_readme(hook_id: str) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    rules = (REPO_ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert re.search(
        rf"^### {re.escape(hook_id)}$", rules, re.MULTILINE
    ), f"docs/rules.md has no section headed {hook_id}"
    assert f"(docs/rules.md#{hook_id})" in readme, f"README.md does not link to {hook_id}'s section"
