"""Generated programs (hypothesmith) never make a Python check raise; arbitrary bytes never make
`parse` raise. A rule whose module is missing fails here, it is never skipped.

Generating a program costs far more than checking it, so every program goes to every Python rule.
"""

from __future__ import annotations

import hypothesmith
import pytest
from helpers import FIXTURES, hook_module
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from mergegate.hooks.finding import Finding
from mergegate.hooks.registry import RULES, Rule
from mergegate.hooks.source import Source, parse, run_checks

PYTHON_RULES = [rule for rule in RULES.values() if rule.scope == "python"]
GENERATED = settings(
    max_examples=150,
    deadline=None,
    # hypothesmith calls target() to grow programs; hill-climbing on it took 90% of the time.
    phases=[phase for phase in Phase if phase is not Phase.target],
    # Generation is slow and from_node() discards many of its own trees: hypothesmith's nature.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


def option_sets(rule: Rule) -> list[dict[str, object]]:
    """The defaults, and each boolean option flipped: every code path the options select."""
    defaults = rule.default_options()
    flipped = [
        {**defaults, option.name: not option.default}
        for option in rule.options
        if option.kind == "bool"
    ]
    return [defaults, *flipped]


def assert_checks_cleanly(code: str) -> None:
    parsed = parse("generated.py", code.encode("utf-8"))
    assert isinstance(parsed, Source), parsed  # hypothesmith yields only code that compiles
    for rule in PYTHON_RULES:
        check = hook_module(rule.id).check
        for options in option_sets(rule):
            assert_sane(rule, parsed, run_checks(parsed, [(check, options)]))


def assert_sane(rule: Rule, parsed: Source, findings: list[Finding]) -> None:
    """Findings of `rule` on `parsed` that a report can show: inside the file, in order."""
    for finding in findings:
        assert isinstance(finding, Finding)
        assert finding.rule in (rule.id, "parse-error")
        assert finding.path == "generated.py"
        assert 1 <= finding.line <= len(parsed.lines), finding
        assert finding.column >= 1, finding
        assert (finding.end_line, finding.end_column) >= (finding.line, finding.column)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles what it generates
@GENERATED
@given(code=hypothesmith.from_grammar())
def test_programs_from_the_grammar(code: str) -> None:
    assert_checks_cleanly(code)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@GENERATED
@given(code=hypothesmith.from_node())
def test_programs_from_syntax_trees(code: str) -> None:
    assert_checks_cleanly(code)


@pytest.mark.parametrize("rule", PYTHON_RULES, ids=lambda rule: rule.id)
def test_rule_module_has_a_check(rule: Rule) -> None:
    """Fails (never skips) when a Python rule's module is missing or has no `check`."""
    assert callable(hook_module(rule.id).check)


def test_every_python_rule_is_covered() -> None:
    """The rules checked here are those the fixtures exist for: a rule that left the registry, or
    one that never had a fixture, shows."""
    fixtures = {path.stem.split("__")[0] for path in (FIXTURES / "python").glob("*.py")}
    assert PYTHON_RULES and {rule.id for rule in PYTHON_RULES} == fixtures


@settings(max_examples=500, deadline=None)
@given(data=st.binary(max_size=2000))
def test_parse_never_raises_on_bytes(data: bytes) -> None:
    result = parse("arbitrary.py", data)
    assert isinstance(result, (Source, Finding))
    if isinstance(result, Finding):
        assert (result.rule, result.code) == ("parse-error", "MG001")
        assert result.line >= 1 and result.column >= 1


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=500))
def test_parse_never_raises_on_text(text: str) -> None:
    """Text is likelier than raw bytes to get past the decoder and reach the parser."""
    result = parse("arbitrary.py", text.encode("utf-8", "surrogatepass"))
    assert isinstance(result, (Source, Finding))
