#!/usr/bin/env python3
"""global-singleton-without-lock on real code: eighteen projects at pinned versions.

    python scripts/singleton_corpus.py                 # download what is missing, then check
    python scripts/singleton_corpus.py --cache DIR     # keep the downloads in DIR
    python scripts/singleton_corpus.py --jobs 2        # check with two processes

A P0 rule must practically never be wrong, and fixtures only hold the shapes someone thought of:
this is the rule's precision and recall measured on code it was not written against. Each project
is fetched once with `pip download --no-deps` (a wheel, or the sdist where no wheel exists) into
the cache folder (default: `$XDG_CACHE_HOME/mergegate/singleton-corpus`); every `.py` file of the
archive is then read from it in memory and checked as the hook checks it, without `# noqa`.

Prints one line per finding, `project-version/path:line:column: message`, sorted, then the total,
the number of files checked and of files that do not parse on the running Python. Needs the
network the first time and a few minutes, so it is not part of the test run. Exit status: 0.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from mergegate.hooks.finding import Finding
from mergegate.hooks.registry import GLOBAL_SINGLETON_WITHOUT_LOCK as RULE
from mergegate.hooks.source import Source, parse, run_checks

WHEEL, SDIST = "wheel", "sdist"
CORPUS: tuple[tuple[str, str, str], ...] = (
    ("ansible-core", "2.19.14", WHEEL),
    ("botocore", "1.44.18", WHEEL),
    ("celery", "5.7.0", WHEEL),
    ("django", "5.2.20", WHEEL),
    ("gunicorn", "27.0.1", WHEEL),
    ("kombu", "5.7.0", WHEEL),
    ("paramiko", "5.1.0", WHEEL),
    ("pip", "26.3", WHEEL),
    ("salt", "3008.5", SDIST),  # publishes no wheel
    ("scrapy", "2.19.0", WHEEL),
    ("setuptools", "84.2.1", WHEEL),
    ("sqlalchemy", "2.1.9", WHEEL),
    ("sympy", "1.14.0", WHEEL),
    ("tornado", "6.6.1", WHEEL),
    ("twisted", "26.10.0", WHEEL),
    ("matplotlib", "3.11.2", WHEEL),
    ("numpy", "2.4.6", WHEEL),
    ("pandas", "3.1.1", WHEEL),
)
"""(project, version, kind): the projects of the rule's precision review, pinned so that every
run reads the same code. Compiled projects' wheels differ by platform only in binaries."""


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mergegate" / "singleton-corpus"


def find_archive(cache: Path, project: str, version: str) -> Path | None:
    """The project's wheel or sdist in the cache. Archive names spell the project with `_` or
    `-` and in any case (PEP 427, PEP 625), so both sides are compared with `-` as `_`."""
    stem = f"{project}-{version}".lower().replace("-", "_")
    for path in sorted(cache.iterdir()):
        name = path.name.lower().replace("-", "_")
        if name.startswith((stem + "_", stem + ".tar", stem + ".zip")):
            return path
    return None


def download(cache: Path, project: str, version: str, kind: str) -> Path:
    """The project's archive in the cache, fetched with pip first if it is not there yet."""
    found = find_archive(cache, project, version)
    if found is not None:
        return found
    binary = ["--only-binary=:all:"] if kind == WHEEL else ["--no-binary=:all:"]
    command = [sys.executable, "-m", "pip", "download", "--no-deps", *binary, "-d", str(cache)]
    print(f"downloading {project}=={version} ({kind})", file=sys.stderr, flush=True)
    subprocess.run([*command, f"{project}=={version}"], check=True, stdout=subprocess.DEVNULL)
    found = find_archive(cache, project, version)
    if found is None:
        raise SystemExit(f"pip saved no archive for {project}=={version} in {cache}")
    return found


def python_members(archive: Path) -> Iterator[tuple[str, bytes]]:
    """(path inside the project, bytes) of every `.py` file; an sdist's top folder dropped."""
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as wheel:
            for name in sorted(wheel.namelist()):
                if name.endswith(".py"):
                    yield name, wheel.read(name)
        return
    with tarfile.open(archive) as sdist:
        members = sorted(sdist.getmembers(), key=lambda member: member.name)
        for member in members:
            if member.isfile() and member.name.endswith(".py"):
                handle = sdist.extractfile(member)
                if handle is not None:
                    yield member.name.partition("/")[2], handle.read()


def check_archive(label: str, archive: str) -> tuple[list[str], int, int]:
    """The findings in one archive as printed lines, the files checked, the files unparsed."""
    module = __import__(f"mergegate.hooks.{RULE.module}", fromlist=["check"])
    options = RULE.default_options()
    places: list[tuple[str, int, int, str]] = []
    checked = unparsed = 0
    for name, data in python_members(Path(archive)):
        path = f"{label}/{name}"
        parsed = parse(path, data)
        if not isinstance(parsed, Source):
            unparsed += 1
            continue
        checked += 1
        found: list[Finding] = run_checks(parsed, [(module.check, options)])
        places.extend((f.path, f.line, f.column, f.message) for f in found)
    lines = [f"{path}:{line}:{column}: {message}" for path, line, column, message in sorted(places)]
    return lines, checked, unparsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=default_cache(), help="download folder")
    parser.add_argument("--jobs", type=int, default=1, help="processes that check archives")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    archives = [
        (f"{project}-{version}", str(download(args.cache, project, version, kind)))
        for project, version, kind in CORPUS
    ]
    with ProcessPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
        results = list(pool.map(check_archive, *zip(*archives)))
    total = checked = unparsed = 0
    for lines, files, failed in results:
        for line in lines:
            print(line)
        total += len(lines)
        checked += files
        unparsed += failed
    print(f"{total} findings in {checked} files of {len(CORPUS)} projects", end="")
    print(f" ({unparsed} files do not parse on Python {sys.version.split()[0]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
