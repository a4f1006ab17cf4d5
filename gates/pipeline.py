"""The gate's pipeline, one stage per module: collect -> suppress -> filter -> tier -> decide.

One code path for every entry point: `mergegate run`, the `mergegate` pre-commit hook, each
single-purpose hook (a run restricted to its rule) and shards. Each file is judged by its own
project's configuration (gates/projects.py); one run over several projects gives one Outcome.
Reporters come after, and only render the Outcome this returns.
"""

from __future__ import annotations

import os

from mergegate.gates.collect import Collected, collect
from mergegate.gates.config import Config, validate_fail_on, validate_selectors
from mergegate.gates.decide import decide
from mergegate.gates.discover import PYTHON_SUFFIXES, expand, is_python
from mergegate.gates.model import MIXED, BaselineEntry, Item, Outcome
from mergegate.gates.projects import Projects
from mergegate.gates.suppress import file_lines, mark_suppressed
from mergegate.gates.tiers import assign_tiers
from mergegate.hooks.config import ConfigError, Reader, option_value
from mergegate.hooks.finding import TOOL
from mergegate.hooks.files import inside
from mergegate.hooks.paths import relative_to
from mergegate.hooks.registry import PARSE_ERROR, RULES, UNUSED_NOQA

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Callable, Sequence

    from mergegate.gates.newcode import Changes


CACHE_RESTORED_ENVIRONMENT = "MERGEGATE_CACHE_RESTORED"
"""Set by the CI step that restored the cache folder: the key it restored ("" for none); the
job summary says so."""


class Request:
    """What one run asks for, beyond the configuration files."""

    __slots__ = (
        "paths",
        "cwd",
        "config_file",
        "select",
        "ignore",
        "fail_on",
        "baseline",
        "new_from_rev",
        "jobs",
        "cache",
        "cache_dir",
        "shard",
        "only_rule",
        "rule_options",
        "check",
        "reader",
        "apply_baselines",
        "keep_parsed",
        "every_project",
        "cache_restored",
    )

    def __init__(self, paths: list[str] | None = None, cwd: str | None = None) -> None:
        self.paths = paths if paths is not None else ["."]
        """Files and folders, relative to `cwd`; an empty list checks only the repository-wide
        rules of the current directory's project (the `mergegate` hook with no files)."""
        self.cwd = os.path.realpath(cwd or os.curdir)
        self.config_file: str | None = None
        """`--config`: this file judges every file."""
        self.select: list[str] | None = None
        """`--select`: replaces every project's `select`."""
        self.ignore: list[str] = []
        """`--ignore`: added to every project's `ignore`."""
        self.fail_on: str | None = None
        """`--fail-on`: replaces every project's `fail-on`."""
        self.baseline: str | None = None
        """`--baseline`: replaces the projects' baselines; its paths are from the run's root."""
        self.new_from_rev: str | None = None
        self.jobs = 1
        """Processes checking Python files (gates/parallel.py)."""
        self.cache = False
        """Reuse and store results in the cache (gates/cache.py)."""
        self.cache_dir: str | None = None
        """The cache's folder, when named (`--cache-dir`)."""
        self.shard: tuple[int, int] | None = None
        """Check only this shard's files (gates/shards.py)."""
        self.only_rule: str | None = None
        """A single-purpose hook's rule: only it runs (no other rule, no adapter)."""
        self.rule_options: dict[str, object] = {}
        """That hook's options from its command line, over the configuration's."""
        self.check: object = None
        """That hook's check function, when it is not its module's own (tests give one)."""
        self.reader: Reader | None = None
        """Where configuration and baseline files are read (a git revision when trusted)."""
        self.apply_baselines = True
        """False when recording a baseline: every finding is recorded afresh."""
        self.keep_parsed = True
        """Keep parsed configuration files in the user's cache directory (off with --no-cache)."""
        self.cache_restored: str | None = None
        """Where the CI system restored the cache from, for the reports (Outcome)."""
        self.every_project = False
        """Run the repository-wide rules of every project of the repository, whichever files
        are named (the `mergegate` hook: pre-commit names only a commit's Python files)."""


class Plan:
    """What a run will check: its projects, and each project's Python files."""

    __slots__ = ("projects", "files", "run_root", "repository", "notes", "pyprojects", "_configs")

    def __init__(self, projects: Projects, run_root: str, configs: list[Config]) -> None:
        self.projects = projects
        self._configs = configs
        self.files: dict[int, list[str]] = {}
        """Python files by `id` of their project's Config."""
        self.run_root = run_root
        """Where a command-line baseline's and the shards' paths start: the single project's
        root, else the repository root."""
        self.repository = projects.repository
        self.notes: list[str] = []
        self.pyprojects: list[str] = []
        """The `pyproject.toml` files of the working tree the run listed."""

    def configs(self) -> list[Config]:
        """The projects of the run: those of its folders and of the files it checks."""
        return self._configs


def _adjust(config: Config, request: Request) -> None:
    """Apply the command line to a project's configuration, validated against its tools."""
    if request.select is not None:
        config.select = validate_selectors(request.select, "--select", config.tools)
    if request.ignore:
        config.ignore = config.ignore + validate_selectors(request.ignore, "--ignore", config.tools)
    if request.only_rule is not None:
        rule = RULES[request.only_rule]
        for name, value in request.rule_options.items():
            config.options[rule.id][name] = option_value(
                rule, name, value, f"mergegate-{rule.id}", "the command line"
            )


def plan(request: Request) -> Plan:
    """Which files each project checks; ConfigError for paths or configuration that cannot be
    used (exit 2)."""
    reader = request.reader or Reader(keep_parsed=request.keep_parsed)
    projects = Projects(request.cwd, request.paths, request.config_file, reader)
    top = projects.repository or os.path.abspath(os.sep)  # no repository: no boundary
    only = RULES[request.only_rule] if request.only_rule else None
    repo_only = only is not None and only.scope == "repo"  # its projects are all it needs
    listing = expand(request.paths, request.cwd, top, () if repo_only else PYTHON_SUFFIXES)
    adjusted: dict[int, Config] = {}

    def project(path: str) -> Config:
        config = projects.for_path(path)
        if id(config) not in adjusted:
            adjusted[id(config)] = config
            _adjust(config, request)
        return config

    folders = sorted(listing.folders, key=len, reverse=True)
    here = projects.for_path(request.cwd).root if inside(request.cwd, top) else None

    def entry(path: str, named: bool) -> str:
        """The root of the project the run came in by for `path`: its folder argument's, else
        (a file named alone) the current directory's."""
        for folder in folders if not named else ():
            if inside(path, folder):
                return projects.for_path(folder).root
        return here or projects.for_path(path).root

    for folder in listing.folders or ([] if request.paths else [request.cwd]):
        project(folder)
    chosen: dict[int, list[str]] = {}
    notes = [] if repo_only else list(listing.notes)  # a walk only looked for projects
    listed = [(p, True) for p in listing.named] + [(p, False) for p in listing.found]
    pyprojects = [path for path, _ in listed if os.path.basename(path) == "pyproject.toml"]
    named_paths = set(listing.named)
    left_out = _add_projects(projects, pyprojects, lambda p: entry(p, p in named_paths), project)
    excluded = []
    for path, named in listed:
        if not is_python(path, named):
            continue
        if any(inside(path, folder) for folder in left_out):
            if named:
                excluded.append(os.path.relpath(path, request.cwd))
            continue
        config = projects.for_path(path)
        if projects.excluded(path, config, entry(path, named)):
            if named:
                excluded.append(os.path.relpath(path, request.cwd))
            continue
        chosen.setdefault(id(project(path)), []).append(path)
    unread = []
    for path in listing.named:
        if is_python(path, True):
            continue
        if _read_by_repo_rules(path, projects.for_path(path)):
            project(path)  # its project's repository-wide rules read it
        else:
            unread.append(os.path.relpath(path, request.cwd))
    named_projects = list(adjusted.values())  # where `--baseline` and shards are rooted
    run_root = named_projects[0].root if len(named_projects) == 1 else projects.default_root
    if request.every_project and projects.repository is not None:
        _every_project(projects, projects.repository, request.cwd, project)
    configs = sorted(adjusted.values(), key=lambda config: config.root)
    result = Plan(projects, run_root, configs)
    result.files = chosen
    result.pyprojects = pyprojects
    for paths, why in (
        (excluded, "excluded by the configuration's `exclude`"),
        (unread, "neither Python nor read by a repository-wide rule"),
    ):
        if paths:
            names = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
            notes.append(f"not checked, {why}: {names}")
    result.notes = notes
    return result


def _every_project(
    projects: Projects, repository: str, cwd: str, project: Callable[[str], Config]
) -> None:
    """Add the repository's root project and each project below it that no project around it
    excludes (as `mergegate run .` from the root finds them) to the run."""
    entry = project(repository).root
    found = expand([repository], cwd, repository, ()).found
    _add_projects(projects, found, lambda _: entry, project)


def _add_projects(
    projects: Projects,
    pyprojects: list[str],
    entry: Callable[[str], str],
    project: Callable[[str], Config],
) -> list[str]:
    """Add the projects these `pyproject.toml` files make to the run, outer ones first; return
    the folders left out. A folder that a project around it excludes (up to the project at
    `entry`, where the run came in) is never looked into: not even its table is read, so a
    broken one in excluded test fixtures fails nothing."""
    left_out: list[str] = []
    for path in sorted(pyprojects, key=lambda name: name.count(os.sep)):
        folder, came_in = os.path.dirname(path), entry(path)
        if any(inside(folder, skipped) for skipped in left_out):
            continue
        if folder != came_in and inside(folder, came_in):
            outer = projects.for_path(os.path.dirname(folder))
            if projects.excluded(folder, outer, came_in):
                left_out.append(folder)
                continue
        if projects.project_of_pyproject(path) is not None:
            project(path)
    return left_out


def _read_by_repo_rules(path: str, config: Config) -> bool:
    """Whether a repository-wide rule of the project reads `path` (then it is checked)."""

    relative = relative_to(path, config.root)
    for rule in RULES.values():
        if rule.scope == "repo" and config.runs_rule(rule.id):
            module = rule.implementation()
            if relative in module.inputs(config.root, config.options[rule.id]):
                return True
    return False


def baseline_scope(
    config: Config,
    files: list[str],
    items: list[Item],
    request: Request,
    root: str,
    tool_files: list[str] | None = None,
) -> Callable[[BaselineEntry], bool]:
    """Whether this run looked where a baseline entry's finding would be: its file was checked
    (by the tools: one of `tool_files`, when given) and parsed (or, for a repository-wide rule,
    those hooks ran), its rule is selected and its tool enabled. An unmatched entry is fixed only
    then; others are neither fixed nor pruned."""
    checked = {relative_to(path, root) for path in files}
    by_tools = checked if tool_files is None else {relative_to(path, root) for path in tool_files}
    for item in items:
        if item.finding.rule == PARSE_ERROR.id:
            unparsed = relative_to(os.path.join(request.cwd, item.finding.path), root)
            checked.discard(unparsed)
            by_tools.discard(unparsed)
    repo_hooks = request.shard is None or request.shard[0] == 1
    tools = {TOOL, *config.tools} if request.only_rule is None else {TOOL}

    def looked(entry: BaselineEntry) -> bool:
        rule = RULES.get(entry["rule"])
        if request.only_rule is not None and entry["rule"] != request.only_rule:
            return False
        if rule is not None and rule.scope == "repo":
            where = repo_hooks
        else:
            where = entry["path"] in (checked if rule is not None else by_tools)
        tool = TOOL if rule is not None else entry["rule"].partition(":")[0]
        return where and tool in tools and config.is_selected(entry["rule"], entry["code"])

    return looked


def hold_back(
    items: list[Item],
    config: Config,
    request: Request,
    run_root: str,
    changes: Changes | None,
    baselines: dict[str, list[BaselineEntry]],
    lines_of: Callable[[str], Sequence[str] | None],
    files: list[str] | None = None,
) -> tuple[str, str, list[BaselineEntry]] | None:
    """The stages between collecting and deciding: mark what is held back (`# noqa`, the
    baseline, code unchanged since --new-from-rev), after adding the `unused-noqa` findings of
    `files` when the project selects that rule. Run on a project's items, and by the fixes on a
    file's items after each pass (no `files`: they add no finding). `baselines` keeps the entries
    read, by file; `lines_of` gives a file's lines, for its file-level `# noqa` directives.
    Returns the baseline's name, its root and the entries nothing matched, when one applied."""
    mark_suppressed(items, config.noqa, lines_of)
    unused_selected = config.is_selected(UNUSED_NOQA.id, UNUSED_NOQA.code)
    if files is not None and unused_selected and request.only_rule is None:
        unused = _unused_noqa(config, files, items, request)
        mark_suppressed(unused, config.noqa, lines_of)
        items.extend(unused)
    held = None
    baseline_path, baseline_root = request.baseline, run_root
    if baseline_path is None:
        baseline_path, baseline_root = config.baseline, config.root
    if baseline_path and request.apply_baselines:
        from mergegate.gates import baseline as baseline_file

        if baseline_path not in baselines:
            baselines[baseline_path] = baseline_file.read(baseline_path, request.reader or Reader())
        name = os.path.relpath(baseline_path, request.cwd).replace(os.sep, "/")
        entries = baselines[baseline_path]
        unmatched = baseline_file.apply(items, entries, baseline_root, request.cwd, name)
        held = (name, baseline_root, unmatched)
    if changes is not None:
        changes.mark_existing(items, request.cwd)
    return held


def run(request: Request) -> Outcome:
    """Run every stage; ConfigError for a request that cannot be carried out (exit 2)."""
    return run_planned(request)[1]


def run_planned(request: Request) -> tuple[Plan, Outcome]:
    """The run's plan (its projects and files) and its Outcome."""
    if request.new_from_rev == "":
        raise ConfigError("--new-from-rev needs a revision, not an empty string")
    fail_on = None if request.fail_on is None else validate_fail_on(request.fail_on, "--fail-on")
    planned = plan(request)
    configs = planned.configs()
    changes = None
    if request.new_from_rev:
        from mergegate.gates import newcode

        changes = newcode.changes_since(request.new_from_rev, planned.run_root)
    items: list[Item] = []
    errors: list[str] = []
    fixed: list[BaselineEntry] = []
    files_checked = 0
    from_cache: int | None = None
    repo_hooks = request.shard is None or request.shard[0] == 1
    for config in configs:
        files = planned.files.get(id(config), [])
        if request.shard:
            from mergegate.gates import shards

            files = shards.select(files, planned.run_root, request.shard)
        # The tools check one file at a time: elsewhere than where the code changed, none of
        # their findings could be new.
        tool_files = None if changes is None else [f for f in files if changes.touches(f)]
        collected: Collected = collect(
            config,
            files,
            request.cwd,
            jobs=request.jobs,
            cache=request.cache,
            repo_hooks=repo_hooks,
            only_rule=request.only_rule,
            check=request.check,
            cache_dir=request.cache_dir,
            tool_files=tool_files,
        )
        files_checked += collected.files_checked
        if collected.from_cache is not None:
            from_cache = (from_cache or 0) + collected.from_cache
        errors.extend(collected.errors)
        project_items = collected.items
        # A bare `# noqa` is used by any finding on its line, a tool's too: `unused-noqa` judges
        # only where the tools looked.
        judged = files if tool_files is None or not config.tools else tool_files
        held = hold_back(
            project_items,
            config,
            request,
            planned.run_root,
            changes,
            {},
            file_lines(request.cwd),
            judged,
        )
        if held is not None:
            name, baseline_root, unmatched = held
            looked = baseline_scope(
                config, files, project_items, request, baseline_root, tool_files
            )
            fixed.extend({**entry, "baseline": name} for entry in unmatched if looked(entry))
        assign_tiers(project_items, config.severity)
        decide(project_items, fail_on or config.fail_on)
        for item in project_items:
            item.project_fail_on = config.fail_on
        items.extend(project_items)
    if request.reader is not None:  # a trusted revision's configuration
        items.extend(_changed_configuration(request, planned))
    fail_ons = {fail_on} if fail_on else {config.fail_on for config in configs} or {"P0"}
    outcome = Outcome(
        items=sorted(items, key=_order),
        fail_on=fail_ons.pop() if len(fail_ons) == 1 else MIXED,
        errors=errors,
        fixed=fixed,
        files_checked=files_checked,
        files_from_cache=from_cache,
        tools=[TOOL, *sorted({tool for c in configs for tool in c.tools})],
        shard=request.shard,
        notes=planned.notes,
    )
    outcome.cache_restored = request.cache_restored
    if request.shard:
        from mergegate.gates import shards

        outcome.fingerprint = shards.fingerprint(configs, request, planned.run_root)
    return planned, outcome


def _unused_noqa(
    config: Config, files: list[str], items: list[Item], request: Request
) -> list[Item]:
    """The opt-in `unused-noqa` findings of a project's checked Python files; files that a
    selected repository-wide rule reads are left out, so that sharded and whole runs agree."""
    from mergegate.gates.suppress import repository_inputs, unused_noqa
    from mergegate.hooks.paths import display

    selected = {rule.id for rule in RULES.values() if rule.module and config.runs_rule(rule.id)}
    shared = repository_inputs(config.root, selected, config.options)
    judged = [
        (display(path, request.cwd), path) for path in files if os.path.realpath(path) not in shared
    ]
    return unused_noqa(items, judged, config.noqa, selected)


def _changed_configuration(request: Request, planned: Plan) -> list[Item]:
    """`config-changed` findings where the tree changed what the trusted revision says, each
    decided by its project's (trusted) configuration."""
    from mergegate.gates.revision import RevisionReader, changed_config_items
    from mergegate.hooks.config import read_table

    reader = request.reader
    assert isinstance(reader, RevisionReader)
    tables = []
    for path in planned.pyprojects:
        try:
            if read_table(path, Reader()) is not None:
                tables.append(path)
        except ConfigError:
            tables.append(path)  # broken in the tree: a change all the same
    items = []
    for item in changed_config_items(reader, tables, request.cwd):
        config = planned.projects.for_path(os.path.join(request.cwd, item.finding.path))
        if config.is_selected(item.finding.rule, item.finding.code):
            assign_tiers([item], config.severity)
            decide([item], validate_fail_on(request.fail_on or config.fail_on, "--fail-on"))
            item.project_fail_on = config.fail_on
            items.append(item)
    return items


def _order(item: Item) -> tuple[int, tuple[str, int, int, str, str]]:
    """The order every report lists items in: P0 first, then by place."""
    from mergegate.hooks.rule import tier_rank

    return tier_rank(item.severity), item.finding.sort_key()
