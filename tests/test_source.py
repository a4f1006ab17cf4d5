"""Decoding and parsing Python files (hooks/source.py) and bad input through a hook's command line.

Every expectation about lines and encodings here is what CPython itself says about the same bytes.
"""

from __future__ import annotations

import _ast
import ast
import contextlib
import io
import os
import pwd
import subprocess
import sys
import tempfile
import tokenize
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from mergegate.hooks import bare_except
from mergegate.hooks.finding import Finding
from mergegate.hooks.source import (
    Source,
    decode,
    detect_encoding,
    parse,
    parse_text,
    run_checks,
    syntax_error,
)
from mergegate.hooks.syntax import iter_child_nodes, walk

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


def compiles(data: bytes | str) -> bool:
    """The interpreter's verdict: `compile` is what `import` and `py_compile` run on a file."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(data, "example.py", "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return False
    return True


def same_module(data: bytes, text: str) -> bool:
    """Whether our text is the program the compiler reads from the bytes (every string constant
    decoded alike)."""
    flags = _ast.PyCF_ONLY_AST
    return ast.dump(compile(data, "a.py", "exec", flags)) == ast.dump(
        compile(text, "a.py", "exec", flags)
    )


def detected(data: bytes) -> str:
    """`tokenize.detect_encoding`'s answer, or its error."""
    try:
        return tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    except SyntaxError as error:
        return f"error: {error}"


# Bytes the compiler reads (and `import` runs) fine, and what `tokenize.detect_encoding` says of
# them where that differs: the compiler decides, not tokenize.
@pytest.mark.parametrize(
    ("data", "tokenize_says"),
    [
        (
            b"# hello\r# coding: latin-1\rs = '\xe9'\r",
            "error: invalid or missing encoding declaration",
        ),
        (b"#" + b"x" * 500 + b"\n# coding: latin-1\ns = '\xe9'\n", "iso-8859-1"),
        (
            b"# \xe9\n# coding: latin-1\ns = '\xe9'\n",
            "error: invalid or missing encoding declaration",
        ),
        (b"# coding: latin-1\rs = '\xe9'", "error: invalid or missing encoding declaration"),
        (b"\x0c\n# coding: latin-1\ns = '\xe9'\n", "iso-8859-1"),
        (b"#\r\n# vim: set fileencoding=cp1252 :\r\ns = '\x80'\r\n", "cp1252"),
        (b"\xef\xbb\xbf# coding: utf-8\ns = '\xc3\xa9'\n", "utf-8-sig"),
        (b"# coding: \ns = '\xc3\xa9'\n", "utf-8"),
        (b"x = 1  # \xff\n", "error: invalid or missing encoding declaration"),
        (b"# coding: utf-8\n# \xe9\nx = 1\n", "utf-8"),
    ],
    ids=[
        "lone-cr-cookie-on-line-2",
        "cookie-after-a-long-first-line",
        "undecodable-first-line-comment",
        "cookie-without-a-line-feed",
        "form-feed-line-then-cookie",
        "crlf-vim-cookie",
        "bom-and-utf8-cookie",
        "cookie-without-a-name",
        "undecodable-byte-in-a-comment",
        "undecodable-comment-under-a-utf8-cookie",
    ],
)
def test_decodes_as_the_compiler_does(data: bytes, tokenize_says: str) -> None:
    assert compiles(data)
    assert detected(data) == tokenize_says
    assert same_module(data, parsed(data).text)


@pytest.mark.parametrize(
    "data",
    [
        b"# hello\r\r# coding: latin-1\rs = '\xe9'\r",
        b"s = 'x'\r# coding: latin-1\rs = '\xe9'\r",
        b"x = 1  # coding: latin-1\ns = '\xe9'\n",
        b"'''# coding: latin-1\n'''\ns = '\xe9'\n",
        b"\xef\xbb\xbf#\n# coding: latin-1\ns = '\xe9'\n",
        b"# coding: UTF8\n# \xe9\nx = 1\n",
        b"# coding: hex\nx = 1\n",
        b"# coding: utf-16\nx = 1\n",
        b"x = '\xe9'  # \xff\n",
    ],
    ids=[
        "cookie-on-line-3",
        "cookie-after-a-line-of-code",
        "cookie-after-code-on-its-line",
        "cookie-in-a-string",
        "bom-and-latin-1-cookie-on-line-2",
        "utf8-spelling-not-folded-so-every-byte-is-decoded",
        "not-a-text-encoding",
        "utf-16",
        "undecodable-string-and-comment",
    ],
)
def test_refuses_what_the_compiler_refuses(data: bytes) -> None:
    assert not compiles(data)
    parse_error(data)


def test_detect_encoding_folds_spellings_and_reports_the_bom_it_skips() -> None:
    assert detect_encoding(b"\xef\xbb\xbfx = 1\n") == ("utf-8", 3)
    assert detect_encoding(b"# -*- coding: ISO_8859_1 -*-\n") == ("iso-8859-1", 0)
    assert detect_encoding(b"# coding: Latin-1-unix\n") == ("iso-8859-1", 0)
    assert detect_encoding(b"#!/usr/bin/env python\n# coding: euc_jp\n") == ("euc_jp", 0)
    with pytest.raises(SyntaxError, match="encoding problem: euc_jp with BOM"):
        detect_encoding(b"\xef\xbb\xbf# coding: euc_jp\n")


def test_strict_decode_refuses_undecodable_comments() -> None:
    """`decode` (for tools' output, never for checking) does not guess."""
    with pytest.raises(UnicodeDecodeError):
        decode(b"x = 1  # \xff\n")
    assert decode(b"# coding: latin-1\r\ns = '\xe9'\r\n") == "# coding: latin-1\ns = '\xe9'\n"


def test_undecodable_comment_bytes_become_replacement_characters() -> None:
    source = parsed(b"x = 1  # caf\xe9\nprint(x)\n")
    assert source.line(1) == "x = 1  # caf\ufffd"


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


# What the parser accepts and the compiler refuses: the interpreter would not import the file.
COMPILE_TIME_ERRORS = {
    "return-outside-function": "x = 1\nreturn x\n",
    "yield-outside-function": "yield 1\n",
    "await-outside-function": "await x\n",
    "await-in-a-plain-function": "def f():\n    await x\n",
    "break-outside-a-loop": "if x:\n    break\n",
    "continue-outside-a-loop": "def f():\n    continue\n",
    "duplicate-argument": "def f(a, b, a):\n    pass\n",
    "duplicate-lambda-argument": "f = lambda a, a: a\n",
    "module-level-nonlocal": "nonlocal x\n",
    "nonlocal-without-binding": "def f():\n    nonlocal x\n",
    "assigned-before-global": "def f():\n    x = 1\n    global x\n",
    "used-before-global": "def f():\n    print(x)\n    global x\n",
    "parameter-and-global": "def f(a):\n    global a\n",
    "future-braces": "from __future__ import braces\n",
    "late-future-import": '"""Doc."""\nimport os\nfrom __future__ import annotations\n',
    "unknown-future-feature": "from __future__ import nope\n",
    "default-except-not-last": "try:\n    pass\nexcept:\n    pass\nexcept ValueError:\n    pass\n",
    "assign-to-debug": "__debug__ = 1\n",
    "starred-assignment-target": "*a = b\n",
    "return-with-value-in-async-generator": "async def f():\n    yield 1\n    return 2\n",
    "yield-in-a-class-body": "class C:\n    yield 1\n",
    "irrefutable-case-not-last": "match x:\n    case y:\n        pass\n    case 1:\n        pass\n",
    "non-ascii-before-the-error": "caf\u00e9 = '\u00e9\u00e9'; return\n",
}


@pytest.mark.parametrize("text", COMPILE_TIME_ERRORS.values(), ids=COMPILE_TIME_ERRORS.keys())
def test_compile_time_errors_are_parse_errors_where_the_compiler_says(text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compile(text, "example.py", "exec", _ast.PyCF_ONLY_AST)  # the parser accepts it
        with pytest.raises(SyntaxError) as refused:
            compile(text, "example.py", "exec")
    error = refused.value
    # The compiler counts its column in UTF-8 bytes; findings count characters.
    line_text = text.splitlines()[(error.lineno or 1) - 1]
    column = len(line_text.encode("utf-8")[: (error.offset or 1) - 1].decode("utf-8")) + 1
    finding = parse_error(text.encode("utf-8"))
    assert (finding.line, finding.column) == (error.lineno, column)
    assert finding.message == f"syntax error: {error.msg}"
    assert syntax_error("example.py", text) == finding  # without a tree: the same finding


def test_column_of_a_compile_time_error_counts_characters() -> None:
    finding = parse_error("caf\u00e9 = '\u00e9\u00e9'; return\n".encode("utf-8"))
    assert (finding.line, finding.column) == (1, len("caf\u00e9 = '\u00e9\u00e9'; ") + 1)


@pytest.mark.parametrize("depth", [1_500, 2_500])
def test_a_tree_too_deep_to_compile_again_gets_the_verdict_of_its_text(depth: int) -> None:
    """Turning a tree back into the compiler's form recurses within Python's own limit, which
    text the parser and the compiler accept can exceed: compiling the text decides."""
    text = "x = " + "-" * depth + "1\n"
    assert isinstance(parse_text("example.py", text), Source) == compiles(text)
    assert (syntax_error("example.py", text) is None) == compiles(text)


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


def test_the_hook_reports_a_compile_time_error(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "module.py").write_text("def f():\n    pass\nreturn 1\n")
    assert bare_except.main(["module.py"]) == 1
    assert (
        capsys.readouterr().out == "module.py:3:1: MG001 syntax error: 'return' outside function\n"
    )


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
