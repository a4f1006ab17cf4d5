"""Which configuration judges each file: the closest `pyproject.toml` with a `[tool.mergegate]`
table above it, up to the repository root (ruff's hierarchical model), or the one `--config`
names for every file.

A project is a folder with such a table (its root) and the Config it resolves to, `extend` chain
included. Files with no table above them are judged by the defaults, rooted at the repository
root (else at the first path of the run, or its folder). With `--config FILE`, every file is
judged by FILE; the project root is FILE's folder when that folder lies inside the repository
and holds every path of the run, else the repository root (else the first path's folder): where
an organisation keeps its shared configuration never decides what `exclude` and `baseline` are
relative to.
"""

from __future__ import annotations

import os

from mergegate.gates.config import Config, build
from mergegate.hooks.config import PYPROJECT, ConfigError, Reader, read_table, resolve
from mergegate.hooks.files import inside, repository_root
from mergegate.hooks.paths import glob_match, relative_to


class Projects:
    """The projects of one run, found as files ask for them; each configuration read once.

    The run's repository is the one the current directory is in when the first path lies in it,
    else the first path's (a run from one repository may check another); every path must lie
    inside it, and a path in no repository cannot be checked from inside one."""

    def __init__(
        self,
        cwd: str,
        paths: list[str],
        config_file: str | None = None,
        reader: Reader | None = None,
    ) -> None:
        self.reader = reader or Reader()
        first = os.path.realpath(os.path.join(cwd, paths[0]) if paths else cwd)
        here = repository_root(cwd)
        self.repository = here if here and inside(first, here) else repository_root(first)
        if here and self.repository is None:
            raise ConfigError(f"{paths[0]}: outside the repository {here}")
        self.default_root = self.repository or (
            first if os.path.isdir(first) else os.path.dirname(first)
        )
        self._by_folder: dict[str, Config] = {}
        self._by_root: dict[str, Config] = {}
        self.forced: Config | None = None
        self._default_config: Config | None = None
        if config_file:
            root = self._forced_root(config_file, [os.path.join(cwd, path) for path in paths])
            self.forced = self._load(config_file, root, standalone=True)

    def _forced_root(self, config_file: str, paths: list[str]) -> str:
        folder = os.path.dirname(os.path.realpath(config_file))
        real = [os.path.realpath(path) for path in paths]
        if self.repository and inside(folder, self.repository):
            if all(inside(path, folder) for path in real):
                return folder
        return self.default_root

    def _load(self, path: str, root: str, standalone: bool) -> Config:
        table = read_table(path, self.reader, standalone=standalone)
        if table is None:  # a pyproject.toml --config names may have no table: the defaults
            return Config(root)
        shown = self.reader.describe(path)
        merged, chain = resolve(path, table, self.reader)
        config = build(merged, shown, root)
        config.chain = [self.reader.describe(name) for name in chain]
        return config

    def for_path(self, path: str) -> Config:
        """The configuration of a file or folder (absolute and real)."""
        if self.forced is not None:
            return self.forced
        folder = path if os.path.isdir(path) else os.path.dirname(path)
        return self._for_folder(folder)

    def excluded(self, path: str, config: Config, entry: str) -> bool:
        """Whether `path` (of project `config`) is excluded by its project's `exclude` or by that
        of a project around it, up to the project at `entry` (where the run came in): a folder
        the outer project leaves out is left out whole, even when it holds a project of its own
        (a bundled example, vendored code), unless the run was asked for that folder itself."""
        while True:
            relative = relative_to(path, config.root)
            if any(glob_match(relative, pattern) for pattern in config.exclude):
                return True
            outer = self._outer(config)
            if outer is None or not inside(config.root, entry) or config.root == entry:
                return False
            config = outer

    def _outer(self, config: Config) -> Config | None:
        """The project around `config`'s root, if any (none with --config)."""
        if self.forced is not None or config.root == self.default_root:
            return None
        parent = os.path.dirname(config.root)
        if parent == config.root or (self.repository and not inside(parent, self.repository)):
            return None
        return self._for_folder(parent)

    def _for_folder(self, folder: str) -> Config:
        pending = []
        config: Config | None = None
        directory = folder
        while True:
            if directory in self._by_folder:
                config = self._by_folder[directory]
                break
            pending.append(directory)
            candidate = os.path.join(directory, PYPROJECT)
            table_config = self._project_at(directory, candidate)
            if table_config is not None:
                config = table_config
                break
            parent = os.path.dirname(directory)
            at_boundary = self.repository is not None and directory == self.repository
            if at_boundary or parent == directory:
                config = self._defaults()
                break
            directory = parent
        for seen in pending:
            self._by_folder[seen] = config
        return config

    def _project_at(self, directory: str, candidate: str) -> Config | None:
        if directory in self._by_root:
            return self._by_root[directory]
        if read_table(candidate, self.reader) is None:
            return None
        config = self._load(candidate, directory, standalone=False)
        self._by_root[directory] = config
        return config

    def _defaults(self) -> Config:
        """The defaults, rooted at the default root; kept apart from the projects by root, as
        a folder above every table may ask for them before the table at that root is read."""
        if self._default_config is None:
            self._default_config = Config(self.default_root)
        return self._default_config

    def project_of_pyproject(self, path: str) -> Config | None:
        """The project a listed `pyproject.toml` makes, if it has a table (and no --config
        overrides every project)."""
        if self.forced is not None:
            return None
        directory = os.path.dirname(path)
        return self._project_at(directory, path)


def load(config_file: str | None, start: str) -> Config:
    """The configuration that judges `start` (a file or folder): --config's, else the closest
    table's, else the defaults."""
    path = os.path.realpath(start)
    folder = path if os.path.isdir(path) else os.path.dirname(path)
    return Projects(folder, [path], config_file).for_path(path)
