"""What a tool's findings on a file depend on besides the file's bytes and path: the installed tool
(with its plugins and the libraries it is built on) and the configuration it reads for that file.

Each adapter says where its tool finds its configuration, as `configuration(folder, root, files)`:
a JSON value naming the configuration file(s) the tool reads for a file in `folder` and what it
reads there (a pyproject.toml's own tables, a setup.cfg's section; whole bytes for files read
whole), or None when its results cannot be cached (they depend on more than that). Files whose
values are equal are checked by the same run of the tool, whose discovery then lands where it
would for each of them alone; the value and the tool's version key the cache.

Configuration files are read here as the tools read them: a regular file at that path, TOML as
TOML, INI sections with `configparser` (hooks/textfile.py's reader). A file a tool would reject
(invalid TOML, a broken INI) is keyed by its bytes: the tool's run fails, and nothing is cached.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
from typing import Optional

from mergegate.gates.adapters import requirement_name

PYPROJECT = "pyproject.toml"


class ConfigFiles:
    """Configuration files as tools read them, each read (and parsed) once per run; parsed TOML
    documents are kept across runs (hooks/config.py's `ParsedCache`) only when `keep_parsed`
    (never with `--no-cache`)."""

    def __init__(self, keep_parsed: bool = False) -> None:
        self.keep_parsed = keep_parsed
        self._bytes: dict[str, Optional[bytes]] = {}
        self._toml: dict[str, object] = {}

    def data(self, path: str) -> Optional[bytes]:
        """The bytes of a regular file at `path`, None when there is none."""
        if path not in self._bytes:
            try:
                status = os.stat(path)
                if not stat.S_ISREG(status.st_mode):
                    self._bytes[path] = None
                else:
                    with open(path, "rb") as handle:
                        self._bytes[path] = handle.read()
            except OSError:
                self._bytes[path] = None
        return self._bytes[path]

    def digest(self, path: str) -> Optional[str]:
        """The digest of a regular file's bytes, None when there is none."""
        data = self.data(path)
        return None if data is None else hashlib.sha256(data).hexdigest()

    def toml(self, path: str) -> object:
        """A TOML file as a document (a dict); None when there is none; the digest of its bytes
        when it does not parse (a tool reading it fails)."""
        if path not in self._toml:
            data = self.data(path)
            if data is None:
                self._toml[path] = None
            else:
                from mergegate.hooks.config import ConfigError, parse_toml

                try:
                    self._toml[path] = parse_toml(path, data, self.keep_parsed)
                except ConfigError:
                    self._toml[path] = hashlib.sha256(data).hexdigest()
        return self._toml[path]

    def table(self, path: str, *keys: str) -> object:
        """The value at `keys` of a TOML file (`tool`, `black`), None when the file or the key is
        not there; the digest of its bytes when it does not parse."""
        document = self.toml(path)
        if not isinstance(document, dict):
            return document
        value: object = document
        for key in keys:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    def section(self, path: str, name: str) -> object:
        """An INI file's section as a dict of its keys (as `configparser` reads them), None when
        the file or the section is not there; the digest of its bytes when it does not parse."""
        import configparser

        from mergegate.hooks.textfile import TextFile, decode_text, parse_ini

        data = self.data(path)
        if data is None:
            return None
        text = decode_text(path, data)
        parser = parse_ini(text) if isinstance(text, TextFile) else text
        if not isinstance(parser, configparser.ConfigParser):  # a parse-error finding
            return hashlib.sha256(data).hexdigest()
        if not parser.has_section(name):
            return None
        return {key: parser.get(name, key) for key in parser.options(name)}


def folders_up(folder: str) -> list[str]:
    """`folder` and every folder above it, to the file system's root."""
    found = [folder]
    while True:
        parent = os.path.dirname(found[-1])
        if parent == found[-1]:
            return found
        found.append(parent)


@functools.lru_cache(maxsize=1)
def _entry_points() -> dict[str, set[str]]:
    """Entry-point group -> the names of the installed distributions with one in it."""
    from importlib import metadata

    groups: dict[str, set[str]] = {}
    for found in metadata.distributions():
        entries = found.entry_points  # read cheaply, unlike the name (from the metadata file)
        if entries:
            name = found.metadata["Name"]
            for entry in entries:
                groups.setdefault(entry.group, set()).add(name)
    return groups


def plugins(groups: tuple[str, ...]) -> set[str]:
    """The installed distributions with an entry point in one of `groups`."""
    providers = _entry_points()
    return set().union(*(providers.get(group, set()) for group in groups))


@functools.lru_cache(maxsize=None)
def tool_version(distribution: str, plugin_groups: tuple[str, ...]) -> list[list[Optional[str]]]:
    """The installed versions of a tool's distribution, of the distributions it requires (its
    extras left out), and of its plugins (distributions with an entry point in `plugin_groups`),
    read from the environment's metadata without starting the tool: tools run in this
    interpreter, so this is what they import. PackageNotFoundError when it is not installed."""
    from importlib import metadata

    names = {distribution, *plugins(plugin_groups)}
    for requirement in metadata.requires(distribution) or []:
        required = requirement_name(requirement)
        if required and "extra" not in requirement.partition(";")[2]:
            names.add(required)
    versions: list[list[Optional[str]]] = []
    for name in sorted(names, key=str.lower):
        try:
            versions.append([name, metadata.version(name)])
        except metadata.PackageNotFoundError:
            versions.append([name, None])
    return versions
