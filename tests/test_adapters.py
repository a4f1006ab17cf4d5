"""The tool adapters, each running the real tool on small files in tmp_path: the interface every
adapter shares (for each of `adapters.ADAPTERS`), then each tool's own behaviour."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from mergegate.gates import adapters
from mergegate.gates.adapters import AdapterError, support
from mergegate.gates.adapters import autoflake_adapter as autoflake
from mergegate.gates.adapters import bandit_adapter as bandit
from mergegate.gates.adapters import black_adapter as black
from mergegate.gates.adapters import flake8_adapter as flake8
from mergegate.gates.cli import main as gate_main
from mergegate.hooks.finding import Finding

ALL = [adapters.load(name) for name in adapters.ADAPTERS]
HOSTILE_NAMES = [
    "with space.py",
    "comma,colon:name.py",
    "-dash.py",
    "ñame.py",
    "tab\there.py",
    os.fsdecode(b"not-utf8-\xe9.py"),
]
UNFORMATTED = "import os\nx=1\ndef f( a ):\n    return a\n"
"""flake8 (F401, E225...), black and autoflake have something to say about this; bandit not."""
EVERYTHING = UNFORMATTED + "import subprocess\nsubprocess.call(x, shell=True)\n"
"""Every tool has something to say about this."""


def write(root: Path, name: str, content: str) -> str:
    (root / name).write_bytes(content.encode("utf-8"))
    return name


def is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def codes(findings: list[Finding]) -> list[tuple[str, int]]:
    return sorted((finding.code, finding.line) for finding in findings)


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and modification time, to prove nothing was written."""
    return {
        str(path): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in root.rglob("*")
        if path.is_file()
    }


# --- the interface every adapter shares ---------------------------------------------------------


@pytest.mark.parametrize("name", adapters.ADAPTERS)
def test_each_adapter_loads_with_the_interface(name: str) -> None:
    module = adapters.load(name)
    assert callable(module.run) and callable(module.default_tier)
    assert module.TOOL == name
    assert module.TIER_TABLE and all(
        tier in ("P0", "P1", "P2", "P3") for _, tier in module.TIER_TABLE
    )
    assert all("|" not in what for what, _ in module.TIER_TABLE)  # they become Markdown cells
    assert module.REQUIREMENT.startswith(name) and module.DOCS_URL.startswith("https://")
    assert isinstance(module.SECURITY, bool)


@pytest.mark.parametrize("module", ALL)
def test_no_files_no_run(module: ModuleType, tmp_path: Path) -> None:
    assert module.run([], str(tmp_path)) == []


@pytest.mark.parametrize("module", ALL)
def test_a_missing_tool_is_an_error(
    module: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "MODULE", "mergegate_no_such_tool")
    write(tmp_path, "a.py", UNFORMATTED)
    with pytest.raises(AdapterError, match=f"{module.TOOL} is not installed"):
        module.run(["a.py"], str(tmp_path))


def _interpreter_without(tool: str) -> str:
    """The interpreter this virtual environment was made from, if the tool is missing there."""
    base = getattr(sys, "_base_executable", "")
    if sys.prefix == sys.base_prefix or not base:
        pytest.skip("not running in a virtual environment")
    probe = subprocess.run([base, "-c", f"import {tool}"], capture_output=True, check=False)
    if probe.returncode == 0:
        pytest.skip(f"{tool} is installed for {base} as well")
    return base


@pytest.mark.parametrize("module", ALL)
def test_an_interpreter_without_the_tool_is_an_error(
    module: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", _interpreter_without(module.MODULE))
    write(tmp_path, "a.py", UNFORMATTED)
    with pytest.raises(AdapterError, match=f"{module.TOOL} is not installed for"):
        module.run(["a.py"], str(tmp_path))


@pytest.mark.parametrize("module", ALL)
def test_a_module_in_the_repository_does_not_shadow_the_tool(
    module: ModuleType, tmp_path: Path
) -> None:
    write(tmp_path, f"{module.MODULE}.py", "raise SystemExit('the wrong module ran')\n")
    write(tmp_path, "a.py", "x = 1\n")
    assert module.run(["a.py"], str(tmp_path)) == []


@pytest.mark.parametrize("module", ALL)
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_file_names_come_back_as_given(
    module: ModuleType, name: str, tmp_path: Path
) -> None:
    write(tmp_path, name, EVERYTHING)
    write(tmp_path, "plain.py", EVERYTHING)
    absolute = str(tmp_path / "plain.py")
    if module is black and not is_utf8(name):
        with pytest.raises(AdapterError, match="surrogates not allowed"):  # black's own limit
            module.run([name, absolute], str(tmp_path))
        return
    findings = module.run([name, absolute], str(tmp_path))
    assert {finding.path for finding in findings} == {name, absolute}
    assert all(finding.tool == module.TOOL for finding in findings)
    assert all(finding.rule == f"{module.TOOL}:{finding.code}" for finding in findings)


@pytest.mark.parametrize("module", [black, autoflake])
def test_a_newline_in_a_file_name_is_read_from_the_diff(module: ModuleType, tmp_path: Path) -> None:
    name = write(tmp_path, "new\nline.py", UNFORMATTED)
    other = write(tmp_path, "new.py", UNFORMATTED)
    findings = module.run([name, other], str(tmp_path))
    assert {finding.path for finding in findings} == {name, other}


@pytest.mark.parametrize("module", ALL)
def test_the_same_file_twice_is_checked_once(module: ModuleType, tmp_path: Path) -> None:
    write(tmp_path, "a.py", EVERYTHING)
    findings = module.run(["a.py", "./a.py"], str(tmp_path))
    assert findings and {finding.path for finding in findings} == {"a.py"}
    assert len(set(findings)) == len(findings)


# --- flake8 --------------------------------------------------------------------------------------


def test_flake8_findings_codes_positions_and_tiers(tmp_path: Path) -> None:
    long_line = "y = " + "1 + " * 30 + "1\n"
    write(tmp_path, "a.py", f"import os\nñ = undefined_name\n{long_line}")
    findings = flake8.run(["a.py"], str(tmp_path))
    by_code = {finding.code: finding for finding in findings}
    assert codes(findings) == [("E501", 3), ("F401", 1), ("F821", 2)]
    undefined = by_code["F821"]
    assert (undefined.line, undefined.column) == (2, 5)  # characters, not UTF-8 bytes
    assert undefined.message == "undefined name 'undefined_name'"
    assert undefined.rule == "flake8:F821" and undefined.tool == "flake8"
    assert by_code["E501"].column == 80
    assert {code: flake8.default_tier(f) for code, f in by_code.items()} == {
        "F821": "P0",
        "F401": "P2",
        "E501": "P3",
    }


def test_flake8_syntax_error_column_is_pythons(tmp_path: Path) -> None:
    write(tmp_path, "bad.py", 'x = (\n    "ñ" $ 1)\n')
    (finding,) = flake8.run(["bad.py"], str(tmp_path))
    assert (finding.code, finding.line) == ("E999", 2)
    with pytest.raises(SyntaxError) as error:
        compile((tmp_path / "bad.py").read_text(encoding="utf-8"), "bad.py", "exec")
    assert finding.column == error.value.offset == 9
    assert flake8.default_tier(finding) == "P0"


@pytest.mark.parametrize(
    ("code", "tier"),
    [
        ("E999", "P0"),
        ("E902", "P0"),
        ("F632", "P0"),
        ("F701", "P0"),
        ("F821", "P0"),
        ("F823", "P0"),
        ("F824", "P1"),
        ("F401", "P2"),
        ("F841", "P2"),
        ("E501", "P3"),
        ("W605", "P3"),
        ("C901", "P3"),
        ("B950", "P3"),
    ],
)
def test_flake8_default_tiers(code: str, tier: str) -> None:
    finding = Finding(f"flake8:{code}", code, "a.py", 1, 1, 1, 1, "m", "flake8")
    assert flake8.default_tier(finding) == tier


def test_flake8_reads_the_projects_configuration(tmp_path: Path) -> None:
    write(tmp_path, "setup.cfg", "[flake8]\nmax-line-length = 120\nextend-ignore = F401\n")
    write(tmp_path, "a.py", "import os\ny = '" + "x" * 100 + "'\nz = undefined\n")
    assert codes(flake8.run(["a.py"], str(tmp_path))) == [("F821", 3)]


def test_flake8_noqa_is_flake8s_own(tmp_path: Path) -> None:
    write(tmp_path, "a.py", "import os  # noqa: F401\nimport sys  # noqa: E501\n")
    write(tmp_path, "b.py", "# flake8: noqa\nimport os\n")
    write(tmp_path, "c.py", 'x = """\n' + "y" * 90 + '\n"""  # noqa: E501\n')
    assert codes(flake8.run(["a.py", "b.py", "c.py"], str(tmp_path))) == [("F401", 2)]


def test_flake8_never_writes_the_configured_output_file(tmp_path: Path) -> None:
    config = (
        "[flake8]\noutput-file = report.txt\nshow-source = true\ncount = true\nstatistics = true\n"
    )
    write(tmp_path, ".flake8", config + "benchmark = true\n")
    write(tmp_path, "a.py", "import os\n")
    assert codes(flake8.run(["a.py"], str(tmp_path))) == [("F401", 1)]
    assert not (tmp_path / "report.txt").exists()


def test_flake8_with_an_invalid_configuration_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, ".flake8", "[flake8]\nmax-line-length = long\n")
    write(tmp_path, "a.py", "import os\n")
    with pytest.raises(AdapterError) as raised:
        flake8.run(["a.py"], str(tmp_path))
    message = str(raised.value)
    assert message.startswith("flake8 crashed (exit status 1):\nValueError: invalid literal")
    assert "Traceback" not in message and message.count("\n") == 1  # the exception, not the stack


def test_flake8_output_that_is_not_the_runners_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = write(tmp_path, "fake_runner.py", "print('a.py:1:1: F401 unused')\n")
    monkeypatch.setattr(flake8, "RUNNER", str(tmp_path / script))
    write(tmp_path, "a.py", "import os\n")
    with pytest.raises(AdapterError, match="not its findings"):
        flake8.run(["a.py"], str(tmp_path))


def test_flake8_reporting_a_file_it_was_not_given_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = 'import json; print(json.dumps([["/elsewhere/x.py", 1, 1, "F401", "m"]]))\n'
    monkeypatch.setattr(flake8, "RUNNER", str(tmp_path / write(tmp_path, "fake.py", fake)))
    write(tmp_path, "a.py", "import os\n")
    with pytest.raises(AdapterError, match="not given: '/elsewhere/x.py'"):
        flake8.run(["a.py"], str(tmp_path))


# --- bandit --------------------------------------------------------------------------------------

SHELL = (
    "import subprocess\n"
    "\n"
    "\n"
    "def run(ñ):\n"
    "    subprocess.call(ñ, shell=True)\n"
    "    subprocess.call(ñ, shell=True)  # nosec\n"
    "    subprocess.call(\n"
    "        ñ,\n"
    "        shell=True,\n"
    "    )\n"
)


def test_bandit_shell_true(tmp_path: Path) -> None:
    write(tmp_path, "a b.py", SHELL)
    findings = [f for f in bandit.run(["a b.py"], str(tmp_path)) if f.code == "B602"]
    assert [(f.line, f.column, f.end_line, f.end_column) for f in findings] == [
        (5, 5, 5, 35),  # `subprocess.call(ñ, shell=True)`, in characters
        (7, 5, 10, 6),  # the whole multi-line call, as bandit's own SARIF region
    ]
    first = findings[0]
    assert first.path == "a b.py" and first.rule == "bandit:B602" and first.tool == "bandit"
    assert first.message == (
        "subprocess call with shell=True identified, security issue. "
        "[severity: HIGH, confidence: HIGH]"
    )
    assert bandit.default_tier(first) == "P1"


def test_bandit_reads_tool_bandit_from_pyproject(tmp_path: Path) -> None:
    write(tmp_path, "a.py", SHELL)
    everything = {f.code for f in bandit.run(["a.py"], str(tmp_path))}
    write(tmp_path, "pyproject.toml", '[tool.bandit]\nskips = ["B404"]\n')
    assert everything - {f.code for f in bandit.run(["a.py"], str(tmp_path))} == {"B404"}


def test_bandit_with_a_broken_pyproject_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.bandit\n")
    write(tmp_path, "a.py", SHELL)
    with pytest.raises(AdapterError, match=r"bandit failed \(exit status 2\)"):
        bandit.run(["a.py"], str(tmp_path))


def test_bandit_leaves_unparsable_files_to_the_gate(tmp_path: Path) -> None:
    write(tmp_path, "bad.py", "def f(:\n    pass\n")
    write(tmp_path, "a.py", SHELL)
    findings = bandit.run(["bad.py", "a.py"], str(tmp_path))
    assert findings and {finding.path for finding in findings} == {"a.py"}


def test_bandit_error_on_a_file_that_parses_is_an_adapter_error(tmp_path: Path) -> None:
    write(tmp_path, "a.py", "x = 1\n")
    paths = support.Paths(["a.py"], str(tmp_path))
    errors = [{"filename": str(tmp_path / "a.py"), "reason": "exception while scanning file"}]
    with pytest.raises(AdapterError, match="could not scan a.py: exception while scanning"):
        bandit._check_errors(errors, paths)


@pytest.mark.parametrize(
    ("severity", "confidence", "tier"),
    [
        ("HIGH", "HIGH", "P1"),
        ("HIGH", "MEDIUM", "P2"),
        ("MEDIUM", "HIGH", "P2"),
        ("MEDIUM", "MEDIUM", "P2"),
        ("HIGH", "LOW", "P3"),
        ("MEDIUM", "LOW", "P3"),
        ("LOW", "HIGH", "P3"),
        ("UNDEFINED", "UNDEFINED", "P3"),
    ],
)
def test_bandit_tiers_from_severity_and_confidence(
    severity: str, confidence: str, tier: str
) -> None:
    message = f"text [severity: {severity}, confidence: {confidence}]"
    assert (
        bandit.default_tier(Finding("bandit:B1", "B1", "a.py", 1, 1, 1, 1, message, "bandit"))
        == tier
    )


def test_bandit_finding_without_its_rating_gets_banadits_highest_tier() -> None:
    finding = Finding("bandit:B602", "B602", "a.py", 1, 1, 1, 1, "shell=True", "bandit")
    assert bandit.default_tier(finding) == "P1"


def test_bandit_never_p0_by_default() -> None:
    assert "P0" not in bandit.RATING_TIERS.values()
    assert {tier for _, tier in bandit.TIER_TABLE} == {*bandit.RATING_TIERS.values(), "P3"}


# --- black ---------------------------------------------------------------------------------------


def test_black_reports_runs_of_lines_and_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path, "a.py", "x=1\ny = 2\nz = 3\nimport os\nimport sys\ndef f( a ):\n  return a\n")
    write(tmp_path, "ok.py", "x = 1\n")
    before = snapshot(tmp_path)
    findings = black.run(["a.py", "ok.py"], str(tmp_path))
    assert snapshot(tmp_path) == before
    assert [(f.path, f.line, f.column, f.end_line, f.end_column) for f in findings] == [
        ("a.py", 1, 1, 1, 4),  # x=1
        ("a.py", 6, 1, 7, 11),  # the function (black also puts two blank lines before it)
    ]
    assert [f.message for f in findings] == [
        "black would reformat this line",
        "black would reformat these 2 lines",
    ]
    assert all(f.code == "BLK100" and black.default_tier(f) == "P3" for f in findings)


def test_black_crlf_and_insertions(tmp_path: Path) -> None:
    write(tmp_path, "a.py", "import os\r\ndef f():\r\n    return os\r\n")
    (finding,) = black.run(["a.py"], str(tmp_path))
    assert (finding.line, finding.end_line) == (2, 2)  # two blank lines go before `def`
    assert finding.message == "black would insert 2 lines here"


def test_black_uses_the_projects_configuration(tmp_path: Path) -> None:
    line = "x = [" + ", ".join(["1234567"] * 10) + "]\n"
    assert 88 < len(line) < 100  # too long for black's default, not for this project
    write(tmp_path, "a.py", line)
    assert len(black.run(["a.py"], str(tmp_path))) == 1
    write(tmp_path, "pyproject.toml", "[tool.black]\nline-length = 100\n")
    assert black.run(["a.py"], str(tmp_path)) == []


def test_black_leaves_unparsable_files_to_the_gate(tmp_path: Path) -> None:
    write(tmp_path, "bad.py", "def f(:\n    pass\n")
    write(tmp_path, "a.py", "x=1\n")
    assert codes(black.run(["bad.py", "a.py"], str(tmp_path))) == [("BLK100", 1)]
    assert black.run(["bad.py"], str(tmp_path)) == []


def test_black_failing_on_a_file_that_parses_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.black]\ntarget-version = ["py38"]\n')
    write(tmp_path, "a.py", "match x:\n    case 1:\n        pass\n")
    with pytest.raises(
        AdapterError,
        match=r"(?s)black failed \(exit status 123\).*cannot parse for target version Python 3.8",
    ):
        black.run(["a.py"], str(tmp_path))


def test_black_crash_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.black\n")
    write(tmp_path, "a.py", "x=1\n")
    with pytest.raises(AdapterError, match="black crashed"):
        black.run(["a.py"], str(tmp_path))


# --- autoflake -----------------------------------------------------------------------------------


def test_autoflake_unused_import_and_pass_and_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.autoflake]\nin-place = true\n")
    write(tmp_path, "a.py", "import os\nimport sys\n\n\ndef f():\n    pass\n    return sys\n")
    before = snapshot(tmp_path)
    findings = autoflake.run(["a.py"], str(tmp_path))
    assert snapshot(tmp_path) == before
    assert [(f.line, f.column, f.end_line, f.end_column) for f in findings] == [
        (1, 1, 1, 10),
        (6, 1, 6, 9),
    ]
    assert findings[0].message.startswith("autoflake would remove this line")
    assert all(f.code == "AFL100" and autoflake.default_tier(f) == "P3" for f in findings)


def test_autoflake_uses_the_projects_configuration(tmp_path: Path) -> None:
    write(tmp_path, "a.py", "import yaml\nfrom os import path, sep\nprint(sep)\n")
    assert codes(autoflake.run(["a.py"], str(tmp_path))) == [("AFL100", 2)]
    write(tmp_path, "pyproject.toml", "[tool.autoflake]\nremove-all-unused-imports = true\n")
    findings = autoflake.run(["a.py"], str(tmp_path))
    assert codes(findings) == [("AFL100", 1)]
    assert (findings[0].end_line, findings[0].message.split(" (")[0]) == (
        2,
        "autoflake would rewrite these 2 lines",
    )


def test_autoflake_leaves_unparsable_files_to_the_gate(tmp_path: Path) -> None:
    write(tmp_path, "bad.py", "import os\ndef f(:\n    pass\n")
    assert autoflake.run(["bad.py"], str(tmp_path)) == []


def test_autoflake_with_an_invalid_configuration_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.autoflake]\nremove-all-unused-imports = "maybe"\n')
    write(tmp_path, "a.py", "import os\n")
    with pytest.raises(AdapterError, match="(?s)autoflake failed.*should be a boolean"):
        autoflake.run(["a.py"], str(tmp_path))


def test_autoflake_missing_file_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "a.py", "import os\n")
    with pytest.raises(AdapterError, match="No such file"):
        autoflake.run(["a.py", "gone.py"], str(tmp_path))


# --- reading diffs -------------------------------------------------------------------------------


def reader(tmp_path: Path, *names: str) -> support.DiffReader:
    return support.DiffReader("tool", "--- ", "+++ ", support.Paths(list(names), str(tmp_path)))


def test_diff_reader_runs_insertions_and_missing_newline(tmp_path: Path) -> None:
    path = str(tmp_path / "a.py")
    diff = (
        f"--- {path}\tthen\n+++ {path}\tnow\n"
        "@@ -1,4 +1,4 @@\n"
        " keep\n"
        "+inserted\n"
        " keep\n"
        "-old one\n"
        "-old two\n"
        "+new\n"
        "@@ -9,2 +10,3 @@\n"
        " keep\n"
        " last\n"
        "+appended\n"
        "\\ No newline at end of file\n"
    )
    (changes,) = reader(tmp_path, "a.py").read(diff).values()
    assert [(c.line, c.end_line, c.end_column, c.removed, c.added) for c in changes] == [
        (2, 2, 1, 0, 1),  # inserted before line 2
        (3, 4, 8, 2, 1),  # lines 3-4 become one, the last of them 7 characters long
        (10, 10, 1, 0, 1),  # appended after the last line, 10
    ]


@pytest.mark.parametrize(
    ("diff", "problem"),
    [
        ("--- {p}\tt\n+++ {p}\tt\n@@ -1 +1 @@\n-a\n", "ends inside a hunk"),
        ("--- {p}\tt\n+++ {p}\tt\n@@ -1 +1 @@\n*a\n+b\n", "unexpected line"),
        ("--- {p}\tt\n+++ {p}\tt\n@@ bad @@\n", "bad hunk header"),
        ("--- {p}.py\tt\n+++ {p}.py\tt\n", "unknown file"),
        ("--- {p}\tt\n+++ {p}x\tt\n", "unknown file"),
        ("would reformat {p}\n", "expected '--- '"),
        ("--- {p}\tt\n+++ {p}\tt\n--- {p}\tt\n+++ {p}\tt\n", "two diffs"),
        ("--- {p}", "ends inside a header"),
    ],
)
def test_diff_reader_refuses_what_it_cannot_read(tmp_path: Path, diff: str, problem: str) -> None:
    with pytest.raises(AdapterError, match=problem):
        reader(tmp_path, "a.py").read(diff.format(p=tmp_path / "a.py"))


# --- the whole gate ------------------------------------------------------------------------------


def test_gate_blocks_on_flake8_p0_and_reports_black_at_p3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        '[tool.mergegate]\ntools = ["flake8", "black"]\nselect = ["F", "BLK"]\n',
    )
    write(tmp_path, "a b.py", "def f():\n    return undefined_name\n\n\nx=1\n")
    monkeypatch.chdir(tmp_path)
    code = gate_main(["run", "--format", "json:out.json"])
    report = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert code == 1 and report["errors"] == []
    found = {
        (f["tool"], f["code"], f["path"], f["line"], f["severity"]) for f in report["findings"]
    }
    assert ("flake8", "F821", "a b.py", 2, "P0") in found
    assert ("black", "BLK100", "a b.py", 5, "P3") in found


def test_gate_exits_2_when_an_enabled_tool_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "pyproject.toml", '[tool.mergegate]\ntools = ["flake8"]\n')
    write(tmp_path, ".flake8", "[flake8]\nmax-line-length = long\n")
    write(tmp_path, "a.py", "x = 1\n")
    monkeypatch.chdir(tmp_path)
    assert gate_main(["run", "--format", "json:out.json"]) == 2
