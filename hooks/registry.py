"""The one registry of rules: id, codes, default tiers, summaries, options and documentation.

Everything user-facing about a rule is written here once and feeds the README, `--help`, the
configuration validator and SARIF rule help. Kept free of imports so every hook can load it at
start-up for nothing.
"""

from __future__ import annotations

TIERS = ("P0", "P1", "P2", "P3")
"""Severity tiers, most severe first. P0 blocks a merge by default."""


def tier_rank(tier: str) -> int:
    """0 for P0 (most severe) up to 3 for P3."""
    return TIERS.index(tier)


class Option:
    """A rule option, settable as `[tool.mergegate.rules.<rule-id>] name = value` or `--name`."""

    __slots__ = ("name", "kind", "default", "help")

    def __init__(self, name: str, kind: str, default: object, help: str) -> None:
        if kind not in ("bool", "str", "list"):
            raise ValueError(kind)
        self.name = name
        self.kind = kind
        self.default = default
        self.help = help

    def validate(self, value: object) -> object:
        """Return `value` if it has this option's type, else raise ValueError saying why."""
        if self.kind == "bool" and isinstance(value, bool):
            return value
        if self.kind == "str" and isinstance(value, str):
            return value
        if (
            self.kind == "list"
            and isinstance(value, list)
            and all(isinstance(item, str) for item in value)
        ):
            return list(value)
        expected = {"bool": "true or false", "str": "a string", "list": "a list of strings"}
        raise ValueError(f"option {self.name!r} takes {expected[self.kind]}, not {value!r}")


class Code:
    """One reportable code of a rule, with its own default tier (a rule may have several)."""

    __slots__ = ("code", "tier", "summary")

    def __init__(self, code: str, tier: str, summary: str) -> None:
        self.code = code
        self.tier = tier
        self.summary = summary


class Rule:
    """A check: its id (the pre-commit hook id), codes, and the documentation users read."""

    __slots__ = (
        "id",
        "codes",
        "summary",
        "scope",
        "module",
        "what",
        "why",
        "example",
        "use_instead",
        "options",
        "differences",
    )

    def __init__(
        self,
        id: str,
        codes: tuple[Code, ...],
        summary: str,
        scope: str,
        module: str,
        what: str,
        why: str,
        example: str,
        use_instead: str,
        options: tuple[Option, ...] = (),
        differences: str = "",
    ) -> None:
        self.id = id
        self.codes = codes
        self.summary = summary
        self.scope = scope  # "python": one Python file at a time; "repo": the repository root
        self.module = module  # the module under mergegate.hooks that implements it
        self.what = what
        self.why = why
        self.example = example
        self.use_instead = use_instead
        self.options = options
        self.differences = differences

    @property
    def code(self) -> str:
        """The rule's main code (its first)."""
        return self.codes[0].code

    @property
    def tier(self) -> str:
        """The default tier of the rule's main code."""
        return self.codes[0].tier

    def option(self, name: str) -> Option:
        for option in self.options:
            if option.name == name:
                return option
        raise KeyError(name)

    def default_options(self) -> dict[str, object]:
        return {
            option.name: (
                list(option.default) if isinstance(option.default, list) else option.default
            )
            for option in self.options
        }


PARSE_ERROR = Rule(
    id="parse-error",
    codes=(Code("MG001", "P0", "a file could not be read or parsed, so no check ran on it"),),
    summary="A file that a check needs could not be decoded or parsed.",
    scope="any",
    module="",
    what=(
        "Reports a Python file that does not parse (a syntax error, Python 2 code, NUL bytes, "
        "bytes that are not valid in the file's declared encoding, nesting too deep for the "
        "parser), and a YAML, TOML or INI file that a repository-wide check needs but cannot read."
    ),
    why=(
        "None of the checks ran on such a file, so a pass would hide whatever it contains. The "
        "gate fails closed: the file blocks until it parses."
    ),
    example="def broken(:\n    pass",
    use_instead="def fixed():\n    pass",
)

BARE_EXCEPT = Rule(
    id="bare-except",
    codes=(Code("MG101", "P0", "bare `except:` catches everything, even KeyboardInterrupt"),),
    summary="An `except:` clause with no exception type.",
    scope="python",
    module="bare_except",
    what=(
        "Reports every `except:` handler that names no exception type, at the `except` keyword. "
        "By default a handler whose body directly contains a bare `raise` (clean up, then "
        "re-raise) is allowed, exactly as ruff's E722. With `allow-reraise = false` every bare "
        "`except:` is reported, exactly as pycodestyle's E722 (what `flake8 --select=E722 "
        "--count` gives an auditor)."
    ),
    why=(
        "A bare `except:` also catches `KeyboardInterrupt`, `SystemExit` and `GeneratorExit`, "
        "and silently swallows programming errors such as `NameError`. Failures disappear "
        "instead of reaching a log or a user."
    ),
    example=(
        "try:\n    config = load(path)\nexcept:\n    config = {}"
    ),
    use_instead=(
        "try:\n    config = load(path)\nexcept FileNotFoundError:\n    config = {}"
    ),
    options=(
        Option(
            "allow-reraise",
            "bool",
            True,
            "Allow a bare `except:` whose body directly contains a bare `raise` (ruff's E722). "
            "Set to false for pycodestyle's E722, which reports every bare `except:`.",
        ),
    ),
    differences=(
        "None on real code: agrees with ruff E722 (default) and pycodestyle E722 "
        "(`allow-reraise = false`)."
    ),
)

UNUSED_GLOBAL = Rule(
    id="unused-global",
    codes=(Code("MG201", "P1", "`global`/`nonlocal` name is never bound in this scope"),),
    summary="A `global` or `nonlocal` declaration for a name the scope never binds.",
    scope="python",
    module="unused_global",
    what=(
        "Reports a `global` or `nonlocal` name, declared in a function or class body, that the "
        "same scope never binds: no assignment of any kind (plain, augmented, annotated with a "
        "value), no `del`, no `for`/`with`/`except ... as` target, no import, no `def`/`class`, "
        "no walrus. Reported at the statement, once per unused name. Module-level `global` is "
        "not reported."
    ),
    why=(
        "The declaration does nothing: reading a global needs no `global` statement. It "
        "usually means an assignment was removed or misspelled, or the author believes the "
        "function writes shared state when it does not."
    ),
    example=(
        "counter = 0\n\ndef show():\n    global counter\n    print(counter)"
    ),
    use_instead=(
        "counter = 0\n\ndef show():\n    print(counter)"
    ),
    differences=(
        "Agrees with pyflakes' F824 except for its two false positives: a `del name` nested "
        "under an `if` (or any other block) counts as binding, and so does a walrus "
        "(`name := ...`) inside a comprehension, which binds in the enclosing function."
    ),
)

DEBUG_PRINT = Rule(
    id="debug-print",
    codes=(
        Code("MG301", "P2", "`print()` call left in a module"),
        Code("MG302", "P2", "`pprint()` call left in a module"),
    ),
    summary="A call to the builtin `print` or to `pprint.pprint`/`pprint.pp` in library code.",
    scope="python",
    module="debug_print",
    what=(
        "Reports calls that resolve to the builtin `print` (`print`, `builtins.print`, import "
        "aliases; MG301) or to `pprint.pprint`/`pprint.pp` (any import form; MG302), resolved "
        "as ruff's T201/T203 resolve them. Not reported: a locally shadowed `print`; a call "
        "whose `file=` is given and is not `None`, `sys.stdout` or `sys.stderr`; anything "
        "lexically inside `if __name__ == \"__main__\":`; `__main__.py`; files matched by the "
        "`exclude` option (test files by default)."
    ),
    why=(
        "Debug output left in a production module pollutes standard output, can leak data into "
        "logs and breaks programs that speak a protocol on stdout. Use `logging`, which can be "
        "configured and silenced."
    ),
    example=(
        "def charge(order):\n    print(\"charging\", order)\n    return gateway.charge(order)"
    ),
    use_instead=(
        "import logging\n\nlog = logging.getLogger(__name__)\n\n"
        "def charge(order):\n    log.debug(\"charging %s\", order)\n    return gateway.charge(order)"
    ),
    options=(
        Option(
            "exclude",
            "list",
            ["test_*.py", "*_test.py", "conftest.py", "**/test/**", "**/tests/**"],
            "Glob patterns of files where printing is fine (test code). A pattern without `/` "
            "matches a file name; one with `/` matches the path from the repository root, "
            "`**` spanning folders.",
        ),
    ),
    differences=(
        "Beyond ruff's T201/T203: `__main__` blocks, `__main__.py` and test files are not "
        "reported, and neither is a call that writes to a file other than stdout/stderr."
    ),
)

GLOBAL_SINGLETON_WITHOUT_LOCK = Rule(
    id="global-singleton-without-lock",
    codes=(Code("MG401", "P0", "lazily created shared instance is not guarded by a lock"),),
    summary="A shared instance created lazily by check-then-create without holding a lock.",
    scope="python",
    module="global_singleton_without_lock",
    what=(
        "Reports the assignment that creates a shared instance after checking that none exists, "
        "when no lock is held across the check and the creation: a module global (`global x` "
        "with `if x is None:`, `if not x:`, or the early-return shape), a class attribute in "
        "`__new__` or a classmethod (`cls._instance`, `hasattr` checks), a metaclass `__call__` "
        "registry (`cls not in cls._instances`), and double-checked locking that lost its inner "
        "re-check. In async code an `await` between the check and the creation is the same race "
        "between tasks."
    ),
    why=(
        "Two threads can both see the instance missing and both create it: two connection "
        "pools, two caches, one of them silently lost. The bug only shows under load, which is "
        "why audits keep finding it."
    ),
    example=(
        "_client = None\n\ndef get_client():\n    global _client\n    if _client is None:\n"
        "        _client = Client()\n    return _client"
    ),
    use_instead=(
        "_client = None\n_client_lock = threading.Lock()\n\ndef get_client():\n"
        "    global _client\n    with _client_lock:\n        if _client is None:\n"
        "            _client = Client()\n    return _client"
    ),
    differences="No other linter we know has this rule.",
)

COVERAGE_THRESHOLD_SINGLE_SOURCE = Rule(
    id="coverage-threshold-single-source",
    codes=(
        Code("MG501", "P2", "coverage threshold repeated outside coverage.py's configuration"),
        Code("MG502", "P1", "coverage threshold disagrees with the one coverage.py uses"),
    ),
    summary="A coverage fail-under threshold written in more than one place.",
    scope="repo",
    module="coverage_threshold_single_source",
    what=(
        "Finds every place a coverage fail-under threshold is written: `fail_under` in "
        "`.coveragerc`, `setup.cfg`, `tox.ini` and `pyproject.toml`; `--cov-fail-under` in "
        "pytest `addopts`, tox commands, workflow steps, Makefiles and noxfiles; `coverage "
        "report --fail-under`; project targets in `codecov.yml`. The single source of truth is "
        "the configuration coverage.py really reads (the first of `.coveragerc`, `setup.cfg`, "
        "`tox.ini`, `pyproject.toml` with coverage settings). Every other place is reported "
        "(MG501), and as MG502 when its value disagrees; the message names the value that wins."
    ),
    why=(
        "When the threshold lives in three places they drift apart, and nobody knows which "
        "number the build enforces. Raising it in one file changes nothing; lowering it in "
        "another quietly weakens the gate."
    ),
    example=(
        "# .coveragerc\n[report]\nfail_under = 90\n\n# tox.ini\n[testenv]\n"
        "commands = pytest --cov --cov-fail-under=85"
    ),
    use_instead=(
        "# .coveragerc\n[report]\nfail_under = 90\n\n# tox.ini\n[testenv]\ncommands = pytest --cov"
    ),
)

SECRETS_DOCUMENTED = Rule(
    id="secrets-documented",
    codes=(
        Code("MG601", "P1", "workflow uses a secret the secrets document does not name"),
        Code("MG602", "P3", "secrets document names a secret no workflow uses"),
        Code("MG603", "P3", "workflow reads secrets in a form that cannot be checked"),
    ),
    summary="Every secret a workflow uses is named in the secrets document.",
    scope="repo",
    module="secrets_documented",
    what=(
        "Every secret that a workflow under `.github/workflows/` uses (`${{ secrets.X }}`, "
        "`secrets.A || secrets.B`) must be named in the secrets document (option `docs`). Names "
        "compare without case; `GITHUB_TOKEN` is implicit; YAML comments are not uses. A "
        "finding at each use of an undocumented secret (MG601), at the document's line for a "
        "secret that nothing uses any more (MG602), and at each use that cannot be checked "
        "statically such as `secrets[...]`, `toJSON(secrets)` or `secrets: inherit` (MG603)."
    ),
    why=(
        "An undocumented secret is one nobody knows how to rotate, where it comes from, or "
        "what breaks without it. A stale entry sends the next maintainer looking for a secret "
        "that no longer matters."
    ),
    example=(
        "# .github/workflows/release.yml\n"
        "env:\n  PYPI_TOKEN: ${{ secrets.PYPI_TOKEN }}   # not in .github/SECRETS.md"
    ),
    use_instead=(
        "<!-- .github/SECRETS.md -->\n"
        "- `PYPI_TOKEN`: API token of the PyPI project, scoped to uploads; rotate yearly."
    ),
    options=(
        Option(
            "docs",
            "str",
            ".github/SECRETS.md",
            "The secrets document, relative to the repository root.",
        ),
    ),
)

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        PARSE_ERROR,
        BARE_EXCEPT,
        UNUSED_GLOBAL,
        DEBUG_PRINT,
        GLOBAL_SINGLETON_WITHOUT_LOCK,
        COVERAGE_THRESHOLD_SINGLE_SOURCE,
        SECRETS_DOCUMENTED,
    )
}
"""Every rule by id, in documentation order."""

HOOK_IDS = tuple(rule_id for rule_id, rule in RULES.items() if rule.module)
"""The pre-commit hook ids: every rule but `parse-error`, which is not a check of its own."""

CODES: dict[str, tuple[Rule, Code]] = {
    code.code: (rule, code) for rule in RULES.values() for code in rule.codes
}
"""Every code, to its rule and its own default tier."""
