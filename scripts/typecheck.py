#!/usr/bin/env python3
"""Type-check mergegate with mypy, strict, as installed: `python scripts/typecheck.py`.

The repository keeps `hooks/` and `gates/` at its root, installed as `mergegate.hooks` and
`mergegate.gates`; mypy cannot follow an editable install's import hook, so it checks a temporary
tree of symbolic links with the installed layout. Exit status: mypy's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("hooks", "gates")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="mergegate-typecheck-") as folder:
        package = Path(folder) / "mergegate"
        package.mkdir()
        for name in PACKAGES:
            (package / name).symlink_to(REPO_ROOT / name, target_is_directory=True)
        command = [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(REPO_ROOT / "pyproject.toml"),
            "--cache-dir",
            os.path.join(folder, ".mypy_cache"),
            "-p",
            "mergegate",
        ]
        return subprocess.run(command, cwd=folder, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main())
