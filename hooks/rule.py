"""What a rule is made of: its tiers, codes and options (the rules themselves are in
hooks/registry.py). Kept free of imports, as the registry is."""

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
