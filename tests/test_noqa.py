"""`# noqa` (hooks/noqa.py): flake8's semantics, checked against the real flake8, plus rule ids."""

from __future__ import annotations

import subprocess
import sys
import pytest

from mergegate.hooks.finding import Finding
from mergegate.hooks.noqa import BLANKET, directive, suppresses

# Comments on an `except:` line; flake8 (E722) decides which ones silence it.
FLAKE8_VARIANTS = [
    "# noqa",
    "# NOQA",
    "# NoQa",
    "# noqa123",
    "# noqa - E722",
    "#noqa",
    "#  noqa",
    "# noqa: E722",
    "# noqa:E722",
    "# NOQA:E722",
    "# noqa:\tE722",
    "# noqa:  E722",
    "# noqa : E722",
    "# noqa: e722",
    "#noqa:E722",
    "#noqa:F401,E722",
    "# noqa: E7",
    "# noqa: E",
    "# noqa: F401",
    "# noqa: F",
    "# noqa:F401,E722",
    "# noqa: F401, E722",
    "# noqa: F401 E722",
    "# noqa:F401,,E722",
    "# noqa:E722E501",
    "# noqa: ,E722",
    "# noqa: E722 because the caller logs",
    "# noqa:E722;F401",
    "# noqa:F401;E722",
    "# type: ignore  # noqa: E722",
    "# noqa: F401  # noqa: E722",
]


def bare_except_finding(line: int, code: str = "E722", rule: str = "bare-except") -> Finding:
    return Finding(rule, code, "example.py", line, 1, line, 7, "bare except")


def handler_line(index: int) -> int:
    return 3 + 4 * index


@pytest.fixture(scope="module")
def flake8_reported_lines(tmp_path_factory: pytest.TempPathFactory) -> set[int]:
    """The lines of the `except:` handlers flake8 still reports with each variant's comment."""
    path = tmp_path_factory.mktemp("noqa") / "variants.py"
    path.write_text(
        "".join(f"try:\n    pass\nexcept:  {comment}\n    pass\n" for comment in FLAKE8_VARIANTS),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select=E722", "--format=%(row)d", path],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    lines = {int(row) for row in result.stdout.split()}
    assert lines, "flake8 reported nothing: the comparison would prove nothing"
    return lines


@pytest.mark.parametrize("index", range(len(FLAKE8_VARIANTS)), ids=FLAKE8_VARIANTS)
def test_suppression_agrees_with_flake8(index: int, flake8_reported_lines: set[int]) -> None:
    line = handler_line(index)
    comment = FLAKE8_VARIANTS[index]
    ours_reported = not suppresses(directive(f"except:  {comment}"), bare_except_finding(line))
    assert ours_reported == (line in flake8_reported_lines)


def test_directive_values() -> None:
    assert directive("x = 1") is None
    assert directive("x = 'noqa'") is None
    assert directive("x = 1  # noqa") == BLANKET
    assert directive("x = 1  # noqa: MG101, MG201") == {"MG101", "MG201"}


def test_blanket_noqa_silences_every_rule() -> None:
    codes = directive("except:  # noqa")
    assert suppresses(codes, bare_except_finding(3, "MG101"))
    assert suppresses(codes, bare_except_finding(3, "MG201", "unused-global"))


def test_code_list_silences_only_the_listed_codes() -> None:
    codes = directive("except:  # noqa: MG101,MG301")
    assert suppresses(codes, bare_except_finding(3, "MG101"))
    assert not suppresses(codes, bare_except_finding(3, "MG201", "unused-global"))


def test_code_prefix() -> None:
    codes = directive("except:  # noqa: MG1")
    assert suppresses(codes, bare_except_finding(3, "MG101"))
    assert not suppresses(codes, bare_except_finding(3, "MG201", "unused-global"))


def test_rule_id_silences_that_rule_only() -> None:
    """Our addition: flake8 would read `# noqa: bare-except` as a blanket `# noqa`."""
    codes = directive("except:  # noqa: bare-except")
    assert suppresses(codes, bare_except_finding(3, "MG101"))
    assert not suppresses(codes, bare_except_finding(3, "MG201", "unused-global"))


def test_rule_ids_and_codes_mix() -> None:
    codes = directive("global x  # noqa: unused-global, MG1")
    assert suppresses(codes, bare_except_finding(3, "MG101"))
    assert suppresses(codes, bare_except_finding(3, "MG201", "unused-global"))
    assert not suppresses(codes, bare_except_finding(3, "MG301", "debug-print"))


def test_keyword_case_does_not_matter() -> None:
    for comment in ("# NOQA: MG101", "# NoQa:MG101", "# noqa:MG101"):
        assert suppresses(directive(f"except:  {comment}"), bare_except_finding(3, "MG101"))
