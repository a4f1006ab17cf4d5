"""Decoding and parsing Python files (hooks/source.py) and bad input through a hook's command line.

Every expectation about lines and encodings here is what CPython itself says about the same bytes.
"""

from __future__ import annotations

import _ast
import contextlib
import os
import pwd
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from mergegate.hooks import bare_except
from mergegate.hooks.finding import Finding
from mergegate.hooks.source import Source, iter_child_nodes, parse, run_checks, walk

BARE_EXCEPT = b"try:\n    pass\nexcept:\n    pass\n"


def parsed(data: bytes) -> Source:
    result = parse("example.py", data)
    assert isinstance(result, Source), result
    return result


def parse_error(data: bytes) -> Finding:
    result = parse("example.py", data)
    assert isinstance(result, Finding), "expected a parse-error"
    assert (result.rule, result.code, result.path) == ("parse-error", "MG001", "example.py")
    return result


def bare_except_lines(data: bytes) -> list[int]:
    return [finding.line for finding in bare_except.check(parsed(data), {"allow-reraise": True})]


def name_node(source: Source, name: str) -> _ast.Name:
    (node,) = [n for n in walk(source.tree) if isinstance(n, _ast.Name) and n.id == name]
    return node


# Decoding


def test_utf8_bom_is_not_part_of_the_text() -> None:
    source = parsed(b"\xef\xbb\xbf" + BARE_EXCEPT)
    assert source.text.startswith("try:")
    assert bare_except_lines(b"\xef\xbb\xbf" + BARE_EXCEPT) == [3]


def test_pep_263_latin_1_declaration_decodes_and_counts_columns_in_characters() -> None:
    text = "# -*- coding: latin-1 -*-\nname = 'caf\xe9 cr\xe8me'; target = 2\n"
    source = parsed(text.encode("latin-1"))
    assert source.line(2) == "name = 'caf\xe9 cr\xe8me'; target = 2"
    node = name_node(source, "target")
    finding = source.finding("rule", "MG000", node, "message")
    expected_column = source.line(2).index("target") + 1
    assert node.col_offset + 1 != expected_column  # the AST counts UTF-8 bytes, we do not
    assert (finding.line, finding.column, finding.end_column) == (
        2,
        expected_column,
        expected_column + len("target"),
    )


def test_bom_with_a_conflicting_declaration_is_a_parse_error() -> None:
    finding = parse_error(b"\xef\xbb\xbf# -*- coding: latin-1 -*-\nx = 1\n")
    assert finding.line == 1
    assert "encoding problem" in finding.message


def test_unknown_encoding_is_a_parse_error() -> None:
    finding = parse_error(b"# -*- coding: klingon -*-\nx = 1\n")
    assert finding.line == 1
    assert "unknown encoding: klingon" in finding.message


# The lines CPython names when it runs these files (`python file.py`), where it names one.
@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"x = 1\ny = 2\nz = '\xff'\n", 3),
        (b"x = 1\r\ny = 2\r\nz = '\xff'\r\n", 3),
        (b"x = 1\ry = 2\rz = '\xff'\r", 3),
        (b"\xef\xbb\xbfx = 1\n\xff\n", 2),
        (b"# coding: ascii\nx = 1\n\ns = '\xe9'\n", 4),
    ],
    ids=["lf", "crlf", "lone-cr", "bom", "declared-ascii"],
)
def test_undecodable_bytes_are_reported_at_their_line(data: bytes, line: int) -> None:
    finding = parse_error(data)
    assert finding.line == line, finding
    assert finding.message.startswith("cannot decode the file as ")


@pytest.mark.parametrize(
    "data",
    [
        b"try:\r\n    pass\r\nexcept:\r\n    pass\r\n",
        b"try:\r    pass\rexcept:\r    pass\r",
        b"s = '''a\rb'''\ntry:\n    pass\nexcept:\n    pass\n",
    ],
    ids=["crlf", "lone-cr", "cr-inside-a-string"],
)
def test_line_endings_give_cpython_line_numbers(data: bytes) -> None:
    source = parsed(data)
    handler = next(node for node in walk(source.tree) if isinstance(node, _ast.ExceptHandler))
    assert bare_except_lines(data) == [handler.lineno]
    assert source.line(handler.lineno) == "except:"


def test_lines_past_the_end_are_empty() -> None:
    source = parsed(b"x = 1\n")
    assert (source.line(0), source.line(1), source.line(3)) == ("", "x = 1", "")


# Parse errors


def test_syntax_error_has_line_and_column() -> None:
    finding = parse_error(b"x = 1\ndef broken(:\n    pass\n")
    assert (finding.line, finding.column) == (2, 12)
    assert finding.message.startswith("syntax error: ")


def test_python_2_print_statement() -> None:
    finding = parse_error(b'print "x"\n')
    assert finding.line == 1
    assert "print" in finding.message


def test_nul_bytes() -> None:
    finding = parse_error(b"x = 1\nx = 1\x00\n")
    assert "null bytes" in finding.message


def test_nesting_at_the_tokenizer_limit_parses_and_past_it_does_not() -> None:
    parsed(b"x = " + b"(" * 200 + b"1" + b")" * 200 + b"\n")
    finding = parse_error(b"x = " + b"[" * 1000 + b"]" * 1000 + b"\n")
    assert "too many nested parentheses" in finding.message


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_nesting_too_deep_for_the_parser(depth: int) -> None:
    """CPython 3.11: RecursionError building the first tree, MemoryError parsing the second."""
    finding = parse_error(b"x = " + b"-" * depth + b"1\n")
    assert finding.message == "cannot parse the file: nesting too deep for the parser"


def _depth(node: _ast.AST) -> int:
    """Recursive, as a check written with ast.NodeVisitor recurses."""
    return 1 + max((_depth(child) for child in iter_child_nodes(node)), default=0)


def _recursive_check(source: Source, options: dict[str, object]) -> list[Finding]:
    _depth(source.tree)
    return []


def test_tree_too_deep_for_a_check_is_a_parse_error_from_run_checks() -> None:
    source = parsed(b"x = " + b"-" * 2000 + b"1\n")
    with pytest.raises(RecursionError):
        _depth(source.tree)
    findings = run_checks(source, [(bare_except.check, {}), (_recursive_check, {})])
    assert [(f.rule, f.line, f.message) for f in findings] == [
        ("parse-error", 1, "cannot check the file: nesting too deep")
    ]


def test_walk_and_iter_child_nodes_cope_with_that_depth() -> None:
    source = parsed(b"x = " + b"-" * 2000 + b"1\n")
    assert sum(isinstance(node, _ast.UnaryOp) for node in walk(source.tree)) == 2000


# Bad input through a hook's command line


def test_parse_error_through_the_hook_exits_1(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "broken.py").write_bytes(b"x = 1\ndef broken(:  # noqa\n    pass\n")
    assert bare_except.main(["broken.py"]) == 1
    out, err = capsys.readouterr()
    assert out == "broken.py:2:12: MG001 syntax error: invalid syntax\n"
    assert err == ""


def test_missing_file_exits_2_before_any_check(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As `mergegate run`: a path that does not exist is a usage error, found before any work."""
    (workdir / "bad.py").write_bytes(BARE_EXCEPT)
    assert bare_except.main(["missing.py", "bad.py"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "mergegate-bare-except: error: missing.py: no such file or directory\n"


def test_a_folder_is_checked_as_the_gate_checks_it(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "package").mkdir()
    (workdir / "package" / "bad.py").write_bytes(BARE_EXCEPT)
    assert bare_except.main(["package"]) == 1
    assert capsys.readouterr().out.startswith("package/bad.py:3:1: MG101 ")


def test_path_no_one_can_open_exits_2(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A symlink loop cannot be opened even by root: the same OSError path as a denied read."""
    os.symlink("loop.py", workdir / "loop.py")
    assert bare_except.main(["loop.py"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("mergegate-bare-except: error: loop.py: cannot read: ")


@contextlib.contextmanager
def permissions_enforced() -> Iterator[None]:
    """Root reads mode-000 files (CAP_DAC_OVERRIDE): act as `nobody` for a moment, so the kernel
    really refuses the read. Other users need nothing."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(pwd.getpwnam("nobody").pw_uid)
    try:
        yield
    finally:
        os.seteuid(0)


def test_file_without_read_permission_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o755)  # only the file is unreadable, not the way to it
        monkeypatch.chdir(folder)
        Path(folder, "secret.py").write_bytes(BARE_EXCEPT)
        os.chmod(Path(folder, "secret.py"), 0)
        with permissions_enforced():
            assert not os.access("secret.py", os.R_OK, effective_ids=True)
            status = bare_except.main(["secret.py"])
        assert status == 2
        assert capsys.readouterr() == (
            "",
            "mergegate-bare-except: error: secret.py: cannot read: Permission denied\n",
        )


def test_installed_console_script_reports_input_errors_without_a_traceback(
    tmp_path: Path,
) -> None:
    script = Path(sys.executable).with_name("mergegate-bare-except")
    assert script.exists(), f"{script} is not installed (pip install -e '.[test]')"
    (tmp_path / "broken.py").write_bytes(b"print 'x'\n")
    result = subprocess.run(
        [str(script), "missing.py", "broken.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "mergegate-bare-except: error: missing.py: no such file or directory\n"
    result = subprocess.run(
        [str(script), "broken.py"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert result.stdout.startswith("broken.py:1:1: MG001 syntax error: ")
