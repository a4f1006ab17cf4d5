"""The one registry of rules: id, codes, default tiers, summaries, options and documentation.

Everything user-facing about a rule is written here once and feeds the docs, `--help`, the
configuration validator and SARIF rule help. Kept free of imports so every hook can load it at
start-up for nothing.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from typing import Any

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
    """One reportable code of a rule, with its own default tier (a rule may have several).

    `peers` are the codes other linters give the same finding (flake8's, ruff's, pylint's): a
    `# noqa` written for them silences this code too, so a team's existing suppressions keep
    working (hooks/noqa.py).
    """

    __slots__ = ("code", "tier", "summary", "peers")

    def __init__(self, code: str, tier: str, summary: str, peers: tuple[str, ...] = ()) -> None:
        self.code = code
        self.tier = tier
        self.summary = summary
        self.peers = peers


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
        "opt_in",
        "needs",
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
        opt_in: bool = False,
        needs: tuple[str, ...] | None = None,
    ) -> None:
        self.id = id
        self.codes = codes
        self.summary = summary
        # "python": one Python file at a time; "repo": the repository root; "noqa": the `# noqa`
        # comments of the checked files, judged after every other finding is known
        self.scope = scope
        self.module = module  # the module under mergegate.hooks that implements it
        self.what = what
        self.why = why
        self.example = example
        self.use_instead = use_instead
        self.options = options
        self.differences = differences
        self.opt_in = opt_in  # left out of the default selection: runs only when asked for
        self.needs = needs
        """A Python rule's pre-check: token sequences one of which a file's text holds whenever
        the check can report on it (`hooks.source.mentions`; None: any file). Here, not in the
        rule's module, so that the gate skips a rule, and the tree, without importing it."""

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

    def implementation(self) -> Any:
        """The module under mergegate.hooks that implements the rule (its `check`, `main`,
        `inputs`), imported on first use with the builtin `__import__`: `importlib` would cost
        a hook's start-up time."""
        package = __import__(f"mergegate.hooks.{self.module}")
        return getattr(package.hooks, self.module)

    def default_options(self) -> dict[str, object]:
        return {
            option.name: (
                list(option.default) if isinstance(option.default, list) else option.default
            )
            for option in self.options
        }


# Codes, by name: checks report them through these constants, never by their text or by
# their position in a rule's `codes`.
UNPARSABLE_FILE = Code("MG001", "P0", "a file could not be read or parsed, so no check ran on it")
NOQA_SILENCES_NOTHING = Code("MG002", "P3", "`# noqa` comment silences no finding")
CONFIG_CHANGED = Code(
    "MG003", "P1", "the pull request changes the gate's configuration; it applies after merge"
)
BARE_EXCEPT_HANDLER = Code(
    "MG101", "P0", "bare `except:` catches everything, even KeyboardInterrupt", peers=("E722",)
)
UNUSED_DECLARATION = Code(
    "MG201",
    "P1",
    "`global`/`nonlocal` name is never bound in this scope",
    peers=("F824", "PLW0602"),
)
PRINT_CALL = Code("MG301", "P2", "`print()` call left in a module", peers=("T201",))
PPRINT_CALL = Code("MG302", "P2", "`pprint()` call left in a module", peers=("T203",))
UNLOCKED_LAZY_SINGLETON = Code(
    "MG401", "P0", "lazily created shared instance is not guarded by a lock"
)
THRESHOLD_REPEATED = Code(
    "MG501", "P2", "coverage threshold repeated outside coverage.py's configuration"
)
THRESHOLD_DISAGREES = Code(
    "MG502", "P1", "coverage threshold disagrees with the one coverage.py uses"
)
UNDOCUMENTED_SECRET = Code(
    "MG601", "P1", "workflow uses a secret the secrets document does not name"
)
STALE_SECRET_ENTRY = Code("MG602", "P3", "secrets document names a secret no workflow uses")
UNCHECKABLE_SECRET_USE = Code(
    "MG603", "P3", "workflow reads secrets in a form that cannot be checked"
)


PARSE_ERROR = Rule(
    id="parse-error",
    codes=(UNPARSABLE_FILE,),
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

UNUSED_NOQA = Rule(
    id="unused-noqa",
    codes=(NOQA_SILENCES_NOTHING,),
    summary="A `# noqa` comment that silences no finding (opt-in).",
    scope="noqa",
    module="",
    opt_in=True,
    what=(
        "Reports, at the comment, a `# noqa` that silences no finding of the run, as ruff's "
        "RUF100 does. Opt-in: it runs only when `select` names it (`unused-noqa`, `MG002` or a "
        "prefix such as `MG0`) or `noqa-report-unused = true` adds it to the default selection; "
        "`ignore` still applies. A blanket `# noqa` is reported when it silences no finding on "
        "its line, neither mergegate's nor an enabled adapter's. In a code list, mergegate's own "
        "entries (codes, code prefixes, rule ids) that silence nothing there are reported, each "
        "named in the message; one whose rule is not selected is named as such. Codes of other "
        "tools, peer codes included (`E722`, `T201`), are never judged: those tools read the "
        "comment too, and only they know whether it is still needed. Only comments count (not "
        "`# noqa` inside a string); a comment that names this rule itself (`# noqa: MG101, "
        "MG002`) is not reported; file-level directives (`# flake8: noqa`, `# ruff: noqa`) are "
        "not judged; a file that does not parse is skipped, since no check ran on it, and so is a "
        "Python file that a selected repository-wide rule reads (a noxfile.py): that rule checks "
        "the repository once, in one shard of a sharded run. A `# noqa` "
        "that matches its finding but no longer silences it (expired, or without a required "
        "reason) is not unused: the finding itself is reported, saying why."
    ),
    why=(
        "A suppression that silences nothing is a trap: once the code it excused is fixed or "
        "moved, the comment stays behind and quietly swallows the next finding on that line."
    ),
    example=(
        "try:\n    config = load(path)\nexcept FileNotFoundError:  # noqa: MG101\n    config = {}"
    ),
    use_instead=("try:\n    config = load(path)\nexcept FileNotFoundError:\n    config = {}"),
    differences=(
        "RUF100 judges a blanket `# noqa` by ruff's own rules; this rule by mergegate's and the "
        "enabled adapters'. A blanket `# noqa` kept for another tool is therefore reported: name "
        "that tool's codes instead (`# noqa: E501`), which are never judged. flake8, run as an "
        "adapter, drops what its own `# noqa` silences before the gate sees it, which is the "
        "same case. Duplicated codes are not reported."
    ),
)

CONFIG_CHANGE = Rule(
    id="config-changed",
    codes=(CONFIG_CHANGED,),
    summary="A change to the gate's own configuration, judged by the trusted revision's.",
    scope="gate",
    module="",
    what=(
        "With `--trusted-config-from REV` (the action's `trusted-config: base`, on by default for "
        "pull requests), the configuration and the baselines are read from REV, not from the "
        "tree being judged. Each configuration file (a `pyproject.toml` with `[tool.mergegate]`, "
        "a file it `extend`s) or baseline that the tree changes, adds or deletes since REV is "
        "reported at its first changed line."
    ),
    why=(
        'A pull request could otherwise loosen the gate it is judged by: `fail-on = "never"`, '
        "`select = []`, or its own new findings added to the baseline. The change is shown to "
        "the reviewer and takes effect once merged."
    ),
    example='[tool.mergegate]\nfail-on = "never"  # in the pull request',
    use_instead='[tool.mergegate]\nfail-on = "P0"  # changed in a reviewed pull request of its own',
)

BARE_EXCEPT = Rule(
    id="bare-except",
    codes=(BARE_EXCEPT_HANDLER,),
    summary="An `except:` clause with no exception type.",
    scope="python",
    module="bare_except",
    needs=("except :",),
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
    example=("try:\n    config = load(path)\nexcept:\n    config = {}"),
    use_instead=("try:\n    config = load(path)\nexcept FileNotFoundError:\n    config = {}"),
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
    codes=(UNUSED_DECLARATION,),
    summary="A `global` or `nonlocal` declaration for a name the scope never binds.",
    scope="python",
    module="unused_global",
    needs=("global", "nonlocal"),
    what=(
        "Reports a `global` or `nonlocal` name, declared in a function or class body, that the "
        "same scope never binds: no assignment of any kind (plain, augmented, annotated, star "
        "targets), no `del`, no `for`/`with`/`except ... as` target, no match capture, no "
        "import (`import a.b` binds `a`), no `def`/`class`, no walrus (one in a comprehension "
        "binds in the enclosing function). Bindings in nested functions, classes, lambdas and "
        "comprehension targets belong to those scopes, not this one. Reported at the statement, "
        "once per unused name (at the last statement if the scope declares it twice). "
        "Module-level `global` is not reported."
    ),
    why=(
        "The declaration does nothing: reading a global needs no `global` statement. It "
        "usually means an assignment was removed or misspelled, or the author believes the "
        "function writes shared state when it does not."
    ),
    example=("counter = 0\n\ndef show():\n    global counter\n    print(counter)"),
    use_instead=("counter = 0\n\ndef show():\n    print(counter)"),
    differences=(
        "Agrees with pyflakes' F824 except for three of its false positives, where we count a "
        "binding that pyflakes misses: a `del name` under an `if` or `while` (even one around "
        "the whole function); a walrus (`name := ...`) inside a comprehension, which binds in "
        "the enclosing function; and a binding on another branch of an `if`/`try`/`match` "
        "than the declaration (`global x` in a `try` body, `x = ...` in its `except`)."
    ),
)

DEBUG_PRINT = Rule(
    id="debug-print",
    codes=(
        PRINT_CALL,
        PPRINT_CALL,
    ),
    summary="A call to the builtin `print` or to `pprint.pprint`/`pprint.pp` in library code.",
    scope="python",
    module="debug_print",
    # every way to reach print, pprint or pp spells "print" (a token may be part of a
    # longer word: `pprint`)
    needs=("print",),
    what=(
        "Reports calls that resolve to the builtin `print` (MG301) or to `pprint.pprint` or "
        "`pprint.pp` (MG302), at the callee. Names are resolved through the file's imports and "
        "scopes as ruff's T201/T203 resolve them: `print`, `builtins.print`, `from builtins "
        "import print as p`, `import pprint as pp; pp.pprint` all count; a `print` shadowed by "
        "a binding of the scope that resolves it (a `def`, an assignment, a parameter, another "
        "import) does not. Not reported either: a call whose `file=` (`stream=` for pprint) is "
        "given and is not `None`, `sys.stdout` or `sys.stderr`; anything lexically inside "
        '`if __name__ == "__main__":` (functions defined there too); `__main__.py`; files '
        "matched by the `exclude` option (test files by default)."
    ),
    why=(
        "Debug output left in a production module pollutes standard output, can leak data into "
        "logs and breaks programs that speak a protocol on stdout. Use `logging`, which can be "
        "configured and silenced."
    ),
    example=('def charge(order):\n    print("charging", order)\n    return gateway.charge(order)'),
    use_instead=(
        "import logging\n\nlog = logging.getLogger(__name__)\n\n"
        'def charge(order):\n    log.debug("charging %s", order)\n    return gateway.charge(order)'
    ),
    options=(
        Option(
            "exclude",
            "list",
            ["test_*.py", "*_test.py", "conftest.py", "**/test/**", "**/tests/**"],
            "Glob patterns of files where printing is fine (test code). A pattern without `/` "
            "matches a file or folder name; one with `/` matches the path from the project root "
            "(whatever the current directory), `**` spanning folders.",
        ),
    ),
    differences=(
        "Agrees with ruff's T201/T203 on real code (each finding at the same line and column "
        'on the standard library), except on purpose: `if __name__ == "__main__":` blocks, '
        "`__main__.py` and files matched by `exclude` are not reported; `pprint.pp` is "
        "reported (MG302), where T203 knows only `pprint.pprint`; calls written inside string "
        'annotations (`x: "print()"`), which never run, are not reported, where ruff parses '
        "the string."
    ),
)

GLOBAL_SINGLETON_WITHOUT_LOCK = Rule(
    id="global-singleton-without-lock",
    codes=(UNLOCKED_LAZY_SINGLETON,),
    summary="A shared instance created lazily by check-then-create without holding a lock.",
    scope="python",
    module="global_singleton_without_lock",
    # a shared target is a `global`/`nonlocal` name, or is reached through a class reference: a
    # class of the module, a classmethod's, `__new__`'s or a metaclass method's first parameter
    # (all inside `class`), a parameter named like a class (`vocabulary.CLASS_PARAMETERS`),
    # `type(x)` or `x.__class__`; or it is an attribute of a function of the module (`def`)
    needs=("global", "nonlocal", "class", "cls", "kls", "klass", "clazz", "mcs", "type", "def"),
    what=(
        "Reports, in any function, the assignment that creates a shared instance after a check "
        "found it missing, when no lock is held across both. Shared targets: a `global` or "
        "`nonlocal` name; an attribute of a class (`cls._instance` in `__new__`, a classmethod "
        "(by decorator or by `name = classmethod(func)` in the class body) or a metaclass "
        "method, `ClassName._instance` anywhere, `type(self)._x`, `self.__class__._x`, also "
        "when checked through the instance: `if self._x is None: type(self)._x = ...`); an "
        "attribute of a function, which every caller shares (`get_pool.pool`, by the module "
        "function's name or the function's own); an entry of a registry keyed by a class "
        "(`cls._instances[cls]` in a metaclass `__call__`, `instances[cls]` in a decorator). "
        "Checks: `x is None`, `not x`, `x == None`, a "
        'sentinel (`x is _MISSING`), `not hasattr(cls, "_x")`, `getattr(cls, "_x", None) '
        'is None`, `"_x" not in cls.__dict__`, `cls not in registry`, `registry.get(cls) is '
        'None`, `"x" not in globals()`, each also through a local that holds the target or as '
        "one operand of `and`/`or`; the creation under the `if` (or its `else`), after an early "
        "`return`/`raise` (`if x is not None: return x`), in `except NameError`/"
        "`AttributeError`/`KeyError` after a `try` that reads the target, or in one expression "
        "(`x = x or Make()`, `x = Make() if x is None else x`). Double-checked locking that "
        "checks outside the lock and creates inside it without checking again is reported too. "
        "So is a check of a module global followed by a call of an initializer, a module "
        "function that on every call creates that global at its own top level without "
        "checking it (`if _table is None: _fill()`, where `_fill` runs `global _table; "
        "_table = [0] * n` and fills it): the finding is at the call.\n\n"
        "An instance is a call of a class (a capitalized name, `cls(...)`, `__new__`, "
        "`__call__`, `cls.from_...()`), of a factory (a name starting with create, make, build, "
        "new, connect, open or factory; not one that makes a class, nor one that makes a value: "
        "`build_table`, `make_pattern`, `new_id`), an empty container stored before it is "
        "filled (`{}`, `[]`, `dict()`, `[None] * n`), or a local made one after the check. Not "
        "instances, so not reported: constants, computed values (`re.compile(...)`, a tuple, a "
        "table built before it is stored, a `Path`, a `Template`, an `IPv4Network`), names "
        "passed in (`x = value`), and objects made before the check (`runner = Runner()` ... "
        "`if master is None: master = runner`: nothing is created lazily there): both threads "
        "store things made anyway and no second instance comes to be. A registry entry must "
        "be an instance of its key class, so per-class caches of computed values are not "
        "reported.\n\n"
        "A lock is held inside `with L:` (or `async with L:`) when L's last name, or the name "
        "of the function it calls, has a word naming a lock: one ending in lock, locks or "
        "locked (not block, clock, unlock), or mutex, mtx, semaphore, sem, cond, condition, cv, "
        "lck, synchronized, or one of the `lock-names` option (`with self._lock:`, `with "
        "_registry_lock:`, `with cache.mutex:`, `with locked(path):`), or a name the module "
        "assigns a lock (`_guard = threading.Lock()`, `self._mu = RLock()`: then `with "
        "_guard:` and `with self._mu:` hold it). A file is not a lock "
        "(`with open(...)`), nor a lock constructed in place (`with threading.Lock():` guards "
        "nothing). A lock is also held between `x.acquire()` and `x.release()` (or `try: ... "
        "finally: x.release()`), in the body of `if x.acquire(timeout=...):`, after `if not "
        "x.acquire(blocking=False): return`, and between `_acquire_lock()`-style calls and "
        "their release, in a function decorated with a lock-named decorator "
        "(`@synchronized(lock)`), in a function whose name says its caller holds it "
        "(`_create_locked`), and in a private function (`_helper`) that its module only calls "
        "inside `with <lock>:`.\n\n"
        "In `async def` code the race is between tasks: a creation is reported when an "
        "`await` (or `async with`/`async for`) comes between the check and the creation, "
        "including `x = await make()`, unless an `async with` lock is held across both (a "
        "threading lock does not stop other tasks). Without an await, no other task can run "
        "in between, so nothing is reported.\n\n"
        "Not reported: module-level code (it runs once, under the import lock); what a function "
        "that the module's own top-level code calls unconditionally creates (`_NoValue = "
        "_NoValueType()` right after the class runs its `__new__`; `C.get()` runs `get`; "
        "`f()` runs `f`): it is made at import, under the import lock, and later calls find "
        "it (a class-keyed registry entry is per class, so it is still reported); a run-once "
        "setup, whose plain presence check raises when the target exists (`if hasattr(State, "
        '"saved"): raise ...`): it refuses a second call and hands nothing out; closure '
        "state that another function of the same closure sets back to None or deletes "
        "(`nonlocal window` toggled by show and hide handlers): it is an object's state, not "
        "an instance made once; instance attributes (`self._x`); the class a metaclass "
        "`__init__` or `__init_subclass__` sets up (no other thread can see it yet); plain "
        "setters and counters; assignments not guarded by a check of the same target; "
        "imports; `dict.setdefault` (atomic); an initializer whose caller holds a lock, or "
        "that checks the global itself (it is then a getter, judged on its own).\n\n"
        "Reported although one thread may be all that runs them: getters on a GUI toolkit's "
        "main thread and test hooks (`setup_module`). Which threads call a function is not "
        "in its code; the race is real in the code's own terms and harmless only by a "
        "contract outside it, so `# noqa: MG401` is the place to say so."
    ),
    why=(
        "Two threads can both see the instance missing and both create it: two connection "
        "pools, two caches, one of them silently lost, or a table another thread reads while "
        "it is still being filled. The bug only shows under load, which is why audits keep "
        "finding it."
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
    options=(
        Option(
            "lock-names",
            "list",
            [],
            "More names that hold a lock when used as `with NAME:` or as a decorator, compared "
            "without case with the last name of the expression (for `with self.gate:`, "
            "`gate`), for locks whose names do not say so.",
        ),
    ),
    differences=(
        "No other linter we know has this rule. Deliberate limits, not reported: keyed caches "
        "that are not class-keyed registries (`if key not in cache: cache[key] = Obj()`): on "
        "real code most are per-call accumulators, loader context dictionaries or caches of "
        "equal values, so reporting them would be wrong more often than right; attributes of "
        "module-level objects (`_state.client`, often a `threading.local`); factories with "
        "other names (`get_client()`, `get_backend()`), whose results may be shared objects "
        "already; a companion global created under another global's check (`if _path is "
        "None: _ctx = as_file(...); _path = ...`), which a check of one name does not make a "
        "check of the other; and the result of an unknown function (`wrapper.saved = "
        "func()`), not known to be an instance."
    ),
)

COVERAGE_THRESHOLD_SINGLE_SOURCE = Rule(
    id="coverage-threshold-single-source",
    codes=(
        THRESHOLD_REPEATED,
        THRESHOLD_DISAGREES,
    ),
    summary="A coverage fail-under threshold written in more than one place.",
    scope="repo",
    module="coverage_threshold_single_source",
    what=(
        "Finds every place a coverage fail-under threshold is written: `fail_under` in "
        "`.coveragerc`, `.coveragerc.toml`, `setup.cfg`, `tox.ini` and `pyproject.toml`; "
        "pytest-cov's `--cov-fail-under` and `coverage report --fail-under` (also `python -m "
        "coverage`, any coverage subcommand) in pytest `addopts` and every other string of "
        "`setup.cfg`, `tox.ini`, `pytest.ini`, `.pytest.ini`, `tox.toml`, `pytest.toml`, "
        "`.pytest.toml` and the `[tool.*]` tables of `pyproject.toml` (tox, hatch and pdm "
        "scripts), in GitHub workflows (`.github/workflows/*.yml`), in the Makefiles at the "
        "root (`Makefile`, `makefile`, `GNUmakefile`, `*.mk`) and in `noxfile.py` (string "
        "arguments of calls, items of lists, tuples and sets, values of dicts); Codecov's "
        "`coverage.status.project.<name>.target` (`auto` is no threshold) in `codecov.yml` or "
        "`.codecov.yml` at the root, in `.github/` or in `dev/`. The single source of truth is "
        "the `fail_under` coverage.py really reads, found exactly as coverage.py finds it: "
        "`.coveragerc` whenever it exists, else the first of `.coveragerc.toml`, `setup.cfg`, "
        "`tox.ini`, `pyproject.toml` that sets a coverage option; in it `[coverage:report]` "
        "before `[report]` (`[tool.coverage.report]` before `[report]`). Every other place is "
        "reported at its value: MG501 when it repeats the value (or is not a literal number, "
        "such as `$(COV_MIN)`), MG502 when it disagrees (values compare as numbers: `90`, "
        '`90.0` and `"90%"` are equal). The message names the value that wins and where, and '
        "says when coverage.py never reads the place. When coverage.py's configuration sets no "
        "`fail_under` (its default 0 checks nothing), a `fail_under` it does not read is "
        "reported as never applied, and the other places only when there are several of them "
        "(MG502 if their values differ). A file that does not parse is a `parse-error`; when it "
        "is the file coverage.py would reach first, no value wins, since coverage.py stops "
        "there with an error."
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
    differences=(
        "Static: a configuration file chosen at run time (`COVERAGE_RCFILE`, `--rcfile`, "
        "pytest-cov's `--cov-config`) is not followed, and Make, shell or tox variables are not "
        "expanded. `.coveragerc.toml` is read as coverage.py 7.13 and later read it. Comments "
        "are skipped where the format has them, and in command text from a `#` that starts a "
        "word to the end of the line."
    ),
)

SECRETS_DOCUMENTED = Rule(
    id="secrets-documented",
    codes=(
        UNDOCUMENTED_SECRET,
        STALE_SECRET_ENTRY,
        UNCHECKABLE_SECRET_USE,
    ),
    summary="Every secret a workflow uses is named in the secrets document.",
    scope="repo",
    module="secrets_documented",
    what=(
        "Every secret that a workflow (`*.yml`, `*.yaml` directly in `.github/workflows/`) uses "
        "must be named in the secrets document (option `docs`). Uses are read as GitHub reads "
        "them, from the parsed YAML: every `${{ ... }}` in any value, key or block scalar, and the "
        "whole text of a job's or step's `if:` (an expression even without `${{ }}`). A use is "
        "`secrets.X` (spaces allowed around the dot) or `secrets['X']` (also `secrets[\"X\"]`); "
        "`secrets` after a dot (`inputs.secrets`) or inside a string literal is not one; the "
        "context name ignores case. YAML comments are not uses, but a `${{ }}` in a shell "
        "comment inside `run: |` is one: GitHub substitutes it before the shell runs. Names "
        "compare without case; `GITHUB_TOKEN` is implicit: it needs no entry and its entry is "
        "never unused.\n\n"
        "The document names a secret where a reader sees an entry: at the start of a heading "
        "(`## NAME`, or a line underlined with `=` or `-`), of a list item (`-`, `*`, `+`, "
        "`1.`, a task box allowed) or of a line that `:`, a dash or the end of the line "
        "follows; in a table (a row followed by a `| --- |` delimiter row), in each body row's "
        "cell of the column headed `Name`, `Secret`, `Secret name` or `Variable` (any case, "
        "also plural), else of the first column. The name is a code span holding just the "
        "name (`` `PYPI_TOKEN` ``, matching `[A-Za-z_][A-Za-z0-9_]*`) or the bare name written "
        "as a secret's name: a whole word in capitals, first a letter, and holding `_` "
        "(`PYPI_TOKEN`, also `PYPI\\_TOKEN`; not `PYPI_TOKEN=x` or `PYPI_TOKEN-2`) or naming "
        "a secret a workflow uses (`CODECOV`), so that `NOTE:` or `## Release` name nothing; "
        "either may be in `**`/`_`, and a table cell may "
        "also hold one bare name in any case. Several names may share an entry, joined by `,`, "
        "`/`, `&`, `and` or `or`. Fenced code blocks, HTML comments and table header rows name "
        "nothing. A name mentioned elsewhere (in prose, as in `set PYPI_TOKEN before you "
        "publish`) does not count; MG601's message then says where it is mentioned."
        "\n\n"
        "MG601 is reported at each use (the `secrets.X` text) of a secret the document does not "
        "name, or of any secret when the document does not exist. MG602 is reported at each "
        "entry that no workflow uses; when some use cannot be checked, its message says where. "
        "MG603 is reported at `secrets[...]` with a computed name, at `secrets` used whole "
        "(`toJSON(secrets)`, `secrets.*`) and at `secrets: inherit`. A reusable workflow's "
        "`on.workflow_call.secrets` declares inputs: declaring is not a use and an entry for a "
        "declared name is never unused; in a workflow that only `workflow_call` triggers, "
        "`secrets.X` for a declared `X` reads what the caller passes, so it is checked at the "
        "caller instead, unless a workflow of this repository calls it with `secrets: inherit`. "
        "A workflow that is not valid YAML or UTF-8, and an undecodable document, is a "
        "`parse-error` and is not scanned. Without workflows nothing is reported."
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
    differences=(
        "No other linter we know has this rule. GitHub rejects `secrets` in `if:` conditions; "
        "such a reference still counts as a use, since it names the secret its author meant."
    ),
)

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        PARSE_ERROR,
        UNUSED_NOQA,
        CONFIG_CHANGE,
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
