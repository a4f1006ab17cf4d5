"""secrets-documented: every secret a workflow reads is named in the secrets document.

Uses are found in what GitHub evaluates, not in the file's raw text: the workflow is composed with
PyYAML (so YAML comments are gone and quoting, escapes and folding are undone) and every scalar is
scanned for `${{ ... }}` expressions, or read whole as one expression for `if:` conditions. Each
use is then placed at its text in the source; when the source spells the value differently
(escapes), the use is reported at the start of its scalar rather than at a guess.
"""

from __future__ import annotations

import os

from .cli import run_repo_hook
from .files import read_file
from .finding import Finding, InputError
from .paths import display
from .registry import SECRETS_DOCUMENTED as RULE
from .registry import STALE_SECRET_ENTRY, UNCHECKABLE_SECRET_USE, UNDOCUMENTED_SECRET
from .source import split_lines

# .textfile and .secrets_document are imported where they are used: starting the hook loads
# nothing but this module.

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    import re
    from collections.abc import Sequence

    import yaml

    from .textfile import Span, TextFile

    Reference = tuple[str, str, int, int]  # kind, name, start offset, end offset
    Use = tuple[str, str, Span]  # kind, name, where

WORKFLOWS = ".github/workflows"
WORKFLOW_SUFFIXES = (".yml", ".yaml")  # what GitHub runs; other files and folders are ignored
IMPLICIT = "GITHUB_TOKEN"
"""Created by GitHub for every run: never needs an entry, and an entry for it is never stale."""

NAMED, COMPUTED_INDEX, WHOLE_CONTEXT = "named", "index", "context"
"""Reference kinds: `secrets.X` or `secrets['X']`; `secrets[<expression>]`; `secrets` itself."""

ENTRY_HINT = "`NAME` at the start of a list item, heading, table row or line"

_patterns: dict[str, re.Pattern[str]] = {}


def _pattern(name: str) -> re.Pattern[str]:
    """The regular expressions, compiled on first use: starting the hook does not load `re`."""
    if not _patterns:
        import re

        _patterns.update(
            # GitHub expression tokens: '' is a quote inside a string literal; property names may
            # hold `-`; a number is read whole so that `0x1f` is not taken for a name.
            token=re.compile(
                r"(?P<string>'(?:[^']|'')*(?:'|$))|(?P<number>[0-9][A-Za-z0-9_.]*)"
                r"|(?P<word>[A-Za-z_][A-Za-z0-9_-]*)|(?P<other>\S)"
            ),
            after_secrets=re.compile(
                r"\s*\.\s*(?P<property>[A-Za-z_][A-Za-z0-9_-]*)"
                r"|\s*\[\s*(?:'(?P<single>(?:[^']|'')*)'|\"(?P<double>[^\"]*)\")\s*\]"
                r"|\s*(?P<index>\[)"
            ),
        )
    return _patterns[name]


# Expressions ---------------------------------------------------------------------------------


def _expression_end(text: str, start: int) -> int:
    """The `}}` that closes the expression starting at `start` (string literals skipped)."""
    index, length = start, len(text)
    while index < length:
        if text.startswith("}}", index):
            return index
        if text[index] == "'":
            index += 1
            while index < length and (text[index] != "'" or text.startswith("''", index)):
                index += 2 if text[index] == "'" else 1
        index += 1
    return length


def references(text: str, whole: bool) -> list[Reference]:
    """The references to the `secrets` context in a scalar's value.

    `whole` reads the value as one expression (an `if:` condition); otherwise only the insides of
    `${{ ... }}` are expressions. `secrets` after a `.` is a property of something else
    (`inputs.secrets`), text in a string literal is data, and contexts ignore case as in GitHub.
    """
    if "secrets" not in text.lower():
        return []
    if whole:
        spans = [(0, len(text))]
    else:
        spans = []
        start = text.find("${{")
        while start != -1:
            end = _expression_end(text, start + 3)
            spans.append((start + 3, end))
            start = text.find("${{", end + 2)
    token, after_secrets = _pattern("token"), _pattern("after_secrets")
    found: list[Reference] = []
    for begin, end in spans:
        previous = ""
        for match in token.finditer(text, begin, end):
            word = match.group("word")
            if word is not None and word.lower() == "secrets" and previous != ".":
                found.append(_reference(after_secrets.match(text, match.end(), end), match.start()))
            previous = match.group()
    return found


def _reference(following: re.Match[str] | None, start: int) -> Reference:
    """What the `secrets` at `start` reads, from the match of what follows it."""
    if following is None:
        return (WHOLE_CONTEXT, "", start, start + len("secrets"))
    if following.group("index") is not None:
        return (COMPUTED_INDEX, "", start, following.end())
    name = following.group("property")
    if name is None:
        single = following.group("single")
        name = following.group("double") if single is None else single.replace("''", "'")
    return (NAMED, name, start, following.end())


# Workflows -----------------------------------------------------------------------------------


class Workflow:
    """What one workflow file says about secrets, before the document is consulted."""

    __slots__ = ("path", "uses", "triggers", "inputs", "inherits")

    def __init__(self, path: str) -> None:
        self.path = path
        self.uses: list[Use] = []
        self.triggers: set[str] = set()
        self.inputs: set[str] = set()  # on.workflow_call.secrets, upper case
        self.inherits: list[tuple[str, Span]] = []  # the called workflow, where `inherit` is

    def reads_input(self, name: str) -> bool:
        """Whether `secrets.<name>` reads what a caller passes rather than a repository secret:
        a declared input of a workflow that nothing but `workflow_call` triggers."""
        return self.triggers == {"workflow_call"} and name.upper() in self.inputs


def _triggers(on: yaml.Node | None) -> set[str]:
    """The events of `on:` (a name, a list of names, or a mapping keyed by them)."""
    from .textfile import yaml_items, yaml_scalar, yaml_sequence

    name = yaml_scalar(on)
    if name is not None:
        return {name.value}
    names = {item.value for item in map(yaml_scalar, yaml_sequence(on)) if item is not None}
    return names | {name for name, _ in yaml_items(on)}


def _read_structure(workflow: Workflow, root: yaml.Node, file: TextFile) -> set[int]:
    """Record triggers, declared inputs and `secrets: inherit`; return the `if:` scalars' ids.

    `if:` counts only where GitHub evaluates it: `jobs.<id>.if` and `jobs.<id>.steps[*].if`.
    """
    from .textfile import yaml_get, yaml_items, yaml_scalar, yaml_sequence

    on = yaml_get(root, "on")
    workflow.triggers.update(_triggers(on))
    declared = yaml_get(yaml_get(on, "workflow_call"), "secrets")
    workflow.inputs.update(name.upper() for name, _ in yaml_items(declared))
    conditions: set[int] = set()
    for _, job in yaml_items(yaml_get(root, "jobs")):
        for holder in [job, *yaml_sequence(yaml_get(job, "steps"))]:
            condition = yaml_scalar(yaml_get(holder, "if"))
            if condition is not None:
                conditions.add(id(condition))
        passed = yaml_scalar(yaml_get(job, "secrets"))
        if passed is not None and passed.value == "inherit":
            called = yaml_scalar(yaml_get(job, "uses"))
            where = file.span(passed.start_mark.index, passed.end_mark.index)
            workflow.inherits.append((called.value if called is not None else "", where))
    return conditions


def _source_span(text: str, node: yaml.ScalarNode) -> tuple[int, int]:
    """Where a scalar's content is in the text: quotes and a block scalar's header line left out
    (the header may carry a YAML comment)."""
    start, end = node.start_mark.index, node.end_mark.index
    if node.style in ("|", ">"):
        breaks = [index for index in (text.find("\n", start), text.find("\r", start)) if index >= 0]
        start = min(breaks) + 1 if breaks else end
    elif node.style in ("'", '"') and end - start >= 2:
        start, end = start + 1, end - 1
    return start, max(start, end)


def _scalar_uses(file: TextFile, node: yaml.ScalarNode, whole: bool) -> list[Use]:
    """The references in one scalar's value, placed at their text in the source when it agrees."""
    found = references(node.value, whole)
    if not found:
        return []
    start, end = _source_span(file.text, node)
    in_source = references(file.text[start:end], whole)
    if [(kind, name.upper()) for kind, name, _, _ in in_source] == [
        (kind, name.upper()) for kind, name, _, _ in found
    ]:
        return [
            (kind, name, file.span(start + first, start + last))
            for kind, name, first, last in in_source
        ]
    where = file.span(node.start_mark.index, node.end_mark.index)
    return [(kind, name, where) for kind, name, _, _ in found]


def read_workflow(path: str, data: bytes) -> Workflow | Finding:
    """A workflow's secret references, or the `parse-error` for a file that cannot be parsed.

    A file that does not parse is reported and not scanned: its text alone cannot tell which
    `${{ }}` GitHub would evaluate, and a partial answer would pass as a complete one.
    """
    from .textfile import compose_yaml, decode_text, yaml_scalars

    file = decode_text(path, data)
    if isinstance(file, Finding):
        return file
    documents = compose_yaml(file)
    if isinstance(documents, Finding):
        return documents
    workflow = Workflow(path)
    for root in documents:
        conditions = _read_structure(workflow, root, file)
        for node in yaml_scalars(root, keys=True):
            workflow.uses.extend(_scalar_uses(file, node, id(node) in conditions))
    return workflow


def workflow_files(root: str) -> list[str]:
    """The workflow files GitHub reads, sorted: `*.yml` and `*.yaml` directly in WORKFLOWS."""
    folder = os.path.join(root, WORKFLOWS)
    try:
        names = sorted(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as error:
        raise InputError(f"{WORKFLOWS}: cannot list: {error.strerror or error}") from None
    return [
        f"{WORKFLOWS}/{name}"
        for name in names
        if name.endswith(WORKFLOW_SUFFIXES) and not os.path.isdir(os.path.join(folder, name))
    ]


# The check -----------------------------------------------------------------------------------


def inputs(root: str, options: dict[str, object]) -> list[str]:
    """Every file whose presence or bytes can change what `check` reports (the gate's cache keys
    the result on them): the workflows and the document, if it exists."""
    docs = str(options.get("docs", RULE.option("docs").default))
    return workflow_files(root) + ([docs] if os.path.exists(os.path.join(root, docs)) else [])


def check(root: str, options: dict[str, object]) -> list[Finding]:
    """MG601 at uses the document does not name, MG602 at its unused entries, MG603 at uses that
    cannot be checked; `parse-error` for workflows or a document that cannot be read as such."""
    paths = workflow_files(root)
    if not paths:
        return []
    findings: list[Finding] = []
    workflows: list[Workflow] = []
    for path in paths:
        parsed = read_workflow(path, read_file(os.path.join(root, path), within=root))
        if isinstance(parsed, Finding):
            findings.append(parsed)
        else:
            workflows.append(parsed)
    unknown = [finding for finding in findings if finding.rule != RULE.id]  # parse errors
    unknown += _unchecked_forms(workflows, findings)

    from .secrets_document import read_document
    from .textfile import decode_text

    docs = os.path.join(root, str(options.get("docs", RULE.option("docs").default)))
    docs_shown = display(docs, root)
    data = read_file(docs, within=root) if os.path.exists(docs) else None
    decoded = decode_text(docs_shown, data) if data is not None else None
    if isinstance(decoded, Finding):
        return sorted([*findings, decoded], key=Finding.sort_key)
    referenced = {IMPLICIT}
    for workflow in workflows:
        referenced.update(workflow.inputs)
        referenced.update(name.upper() for kind, name, _ in workflow.uses if kind == NAMED)
    document = decoded.text if decoded is not None else None
    model = read_document(document, referenced) if document is not None else None
    entries = model.entries if model is not None else []
    documented = {entry.name.upper() for entry in entries}
    undocumented: list[tuple[Finding, str]] = []  # MG601 findings, with the name each is about
    missing: dict[str, tuple[str, list[str]]] = {}  # by name in capitals: as written, workflows
    inherited = {_local_path(called) for workflow in workflows for called, _ in workflow.inherits}
    for workflow in workflows:
        for kind, name, where in workflow.uses:
            key = name.upper()
            if kind != NAMED or key == IMPLICIT or key in documented:
                continue
            if workflow.reads_input(name) and workflow.path not in inherited:
                continue
            message = _undocumented(name, docs_shown, document)
            finding = Finding(RULE.id, UNDOCUMENTED_SECRET.code, workflow.path, *where, message)
            undocumented.append((finding, name))
            if _is_secret_name(name):
                users = missing.setdefault(key, (name, []))[1]
                users.extend([] if workflow.path in users else [workflow.path])
    if missing:
        from .secrets_fixes import add_entries

        fix = add_entries(docs_shown, decoded, data or b"", model, list(missing.values()))
        undocumented = [
            (finding.with_fix(fix if _is_secret_name(name) else None), name)
            for finding, name in undocumented
        ]
    findings.extend(finding for finding, _ in undocumented)
    caveat = ""
    if unknown:  # say so rather than stay silent: those places might read the entry
        first = min(unknown, key=Finding.sort_key)
        caveat = f" (unless it is read where uses cannot be checked: {first.path}:{first.line})"
    for entry in entries:
        if entry.name.upper() not in referenced:
            message = (
                f"`{entry.name}` is documented but no workflow uses it; remove the entry{caveat}"
            )
            stale = Finding(
                RULE.id,
                STALE_SECRET_ENTRY.code,
                docs_shown,
                entry.line,
                entry.column,
                entry.line,
                entry.end_column,
                message,
            )
            if not unknown and model is not None and decoded is not None:
                from .secrets_fixes import remove_entry

                stale = stale.with_fix(remove_entry(model, entry, decoded.lines))
            findings.append(stale)
    return sorted(findings, key=Finding.sort_key)


def _is_secret_name(name: str) -> bool:
    """Letters, digits and `_`, not first a digit: what GitHub takes as a secret's name."""
    return name.isascii() and name.replace("_", "a").isalnum() and not name[:1].isdigit()


def _undocumented(name: str, docs: str, document: str | None) -> str:
    """MG601's message: what is wrong, and how to fix it."""
    if not _is_secret_name(name):
        return (
            f"`{name}` cannot be a secret's name (letters, digits and `_`, not first a digit): "
            "this reads an empty value"
        )
    if document is None:
        return f"secret `{name}` is used but the secrets document {docs} does not exist"
    line = _mention(document, name)
    if line is not None:
        return (
            f"secret `{name}` is mentioned on line {line} of {docs} but not as an entry; "
            f"write it as {ENTRY_HINT}"
        )
    return f"secret `{name}` is not named in {docs}; add an entry: {ENTRY_HINT}"


def _mention(text: str, name: str) -> int | None:
    """The first line that mentions `name` as a word, for a message that says why it is not
    taken as an entry."""
    import re

    match = re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text, re.I)
    return None if match is None else len(split_lines(text[: match.start()]))


def _local_path(called: str) -> str:
    """The repository path of a workflow called as `./.github/workflows/x.yml`, else ""."""
    called = called.strip()
    return called[2:] if called.startswith("./") else ""


def _unchecked_forms(workflows: list[Workflow], findings: list[Finding]) -> list[Finding]:
    """Add the MG603 findings; return those that leave the set of secrets read unknown.

    `secrets: inherit` to a workflow of this repository is reported but does not: that
    workflow's references are checked as this repository's secrets.
    """
    local = {workflow.path for workflow in workflows}
    unknown = []
    for workflow in workflows:
        for kind, _, where in workflow.uses:
            if kind == COMPUTED_INDEX:
                message = "`secrets[...]` with a computed name cannot be checked statically"
            elif kind == WHOLE_CONTEXT:
                message = (
                    "the whole `secrets` context (as in `toJSON(secrets)`) cannot be checked "
                    "statically; read each secret as `secrets.NAME`"
                )
            else:
                continue
            unknown.append(
                Finding(RULE.id, UNCHECKABLE_SECRET_USE.code, workflow.path, *where, message)
            )
        for called, where in workflow.inherits:
            message = f"`secrets: inherit` passes every secret to {called or 'the called workflow'}"
            if _local_path(called) in local:
                message += "; the secrets it reads are checked, but pass only those, by name"
                findings.append(
                    Finding(RULE.id, UNCHECKABLE_SECRET_USE.code, workflow.path, *where, message)
                )
            else:
                message += ", whose uses cannot be checked here; pass the ones it needs by name"
                unknown.append(
                    Finding(RULE.id, UNCHECKABLE_SECRET_USE.code, workflow.path, *where, message)
                )
    findings.extend(unknown)
    return unknown


def main(argv: Sequence[str] | None = None) -> int:
    return run_repo_hook(RULE, check, argv)


if __name__ == "__main__":
    raise SystemExit(main())
