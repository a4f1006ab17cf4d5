"""The package's metadata agrees with the repository: the license file with the declared license,
the Python classifiers with `requires-python`, the project URLs with the repository the README's
snippets install from, the `tools` extra with the adapters' requirements."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mergegate.gates.adapters import ADAPTERS, load
from mergegate.gates.readme import REPOSITORY_URL

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_license_file_is_the_declared_license() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert PROJECT["license"] == "MIT"
    assert text.startswith("MIT License\n\nCopyright (c) ")
    assert "the mergegate authors" in text.splitlines()[2]
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in text
    assert not any(c.startswith("License ::") for c in PROJECT["classifiers"])  # PEP 639


def test_python_classifiers_start_at_requires_python() -> None:
    minimum = re.fullmatch(r">=3\.(\d+)", PROJECT["requires-python"])
    assert minimum, PROJECT["requires-python"]
    versions = [
        int(c.rsplit(".", 1)[1])
        for c in PROJECT["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]
    assert versions == list(range(int(minimum.group(1)), max(versions) + 1))


def test_project_urls_point_at_the_repository() -> None:
    urls = PROJECT["urls"]
    assert urls["Source"] == REPOSITORY_URL
    assert all(url.startswith(REPOSITORY_URL) for url in urls.values())
    assert {"Changelog", "Issues", "Documentation"} <= set(urls)
    assert urls["Changelog"].endswith("/CHANGELOG.md") and (ROOT / "CHANGELOG.md").is_file()


def test_the_tools_extra_installs_every_adapters_tool_and_nothing_else() -> None:
    requirements = [load(name).REQUIREMENT for name in ADAPTERS]
    assert PROJECT["optional-dependencies"]["tools"] == requirements
