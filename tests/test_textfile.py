"""hooks/textfile.py: decoding, positions, YAML/TOML/INI parses that end in data or a parse-error
(never an exception or a crash), where TOML pairs and INI options are written, and the repository
reader."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mergegate.hooks import textfile
from mergegate.hooks.finding import Finding
from mergegate.hooks.textfile import (
    MAX_DEPTH,
    TOO_DEEP,
    Repository,
    TextFile,
    compose_yaml,
    decode_text,
    ini_options,
    parse_ini,
    parse_toml,
    toml_leaves,
    toml_lookup,
    toml_pairs,
    toml_value,
    yaml_get,
    yaml_items,
    yaml_scalars,
)


def decoded(data: bytes, path: str = "f") -> TextFile:
    file = decode_text(path, data)
    assert isinstance(file, TextFile), file
    return file


def composed(text: str) -> list[yaml.Node]:
    documents = compose_yaml(TextFile("w.yml", text))
    assert isinstance(documents, list), documents
    return documents


def error(result: object) -> tuple[int, int, str]:
    assert isinstance(result, Finding), result
    assert (result.rule, result.code) == ("parse-error", "MG001")
    return result.line, result.column, result.message


@pytest.fixture(params=["libyaml", "python"])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every YAML answer must be the same with PyYAML's C loader and without it."""
    if request.param == "python":
        monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    elif not hasattr(yaml, "CSafeLoader"):  # pragma: no cover - PyYAML built without libyaml
        pytest.skip("PyYAML without libyaml")
    return str(request.param)


# Decoding and positions --------------------------------------------------------------------------


def test_decoding_normalises_line_ends_and_drops_the_bom() -> None:
    file = decoded(b"\xef\xbb\xbfa\r\nb\rc\n\xc3\xa9")
    assert (file.text, file.lines) == ("a\nb\nc\n\u00e9", ["a", "b", "c", "\u00e9"])
    assert file.position(file.text.index("b")) == (2, 1)


def test_undecodable_bytes_are_a_parse_error_on_their_line() -> None:
    assert error(decode_text("f", b"a\nb\rc\r\n\xff")) == (
        4,
        1,
        "cannot decode the file as UTF-8: invalid start byte",
    )
    assert error(decode_text("f", b"\xc3")) == (
        1,
        1,
        "cannot decode the file as UTF-8: unexpected end of data",
    )


@given(st.lists(st.sampled_from(["a", "\u00e9", "\U0001f600", "\n", "\r", "\r\n", "\t"])))
def test_positions_agree_with_split_lines(parts: list[str]) -> None:
    from mergegate.hooks.source import split_lines

    raw = "".join(parts)
    file = TextFile("f", raw)
    assert file.lines == split_lines(raw)
    for offset in range(len(file.text) + 1):
        line, column = file.position(offset)
        assert file.offset(line, column) == offset
        assert file.lines[line - 1][: column - 1] == file.text[:offset].split("\n")[-1]
    assert file.span(0, len(file.text)) == (1, 1, len(file.lines), len(file.lines[-1]) + 1)


def test_error_is_a_parse_error_at_an_offset_or_the_top() -> None:
    file = TextFile("p", "ab\ncd")
    assert error(file.error("bad", 4)) == (2, 2, "bad")
    assert error(file.error("bad")) == (1, 1, "bad")


# YAML --------------------------------------------------------------------------------------------


def test_compose_keeps_positions_styles_and_document_order(loader: str) -> None:
    text = "a: 1\r\nb:\r\n  - 'x'\r\n  - {c: d}\r\n---\r\ne: |\r\n  f\r\n"
    file = TextFile("w.yml", text)
    documents = compose_yaml(file)
    assert isinstance(documents, list) and len(documents) == 2
    scalars = list(yaml_scalars(documents[0], keys=True))
    assert [node.value for node in scalars] == ["a", "1", "b", "x", "c", "d"]
    plain = None  # libyaml says "", PyYAML None
    assert [node.style or None for node in scalars] == [plain, plain, plain, "'", plain, plain]
    quoted = yaml_get(documents[0], "b").value[0]  # type: ignore[union-attr]
    assert file.span(quoted.start_mark.index, quoted.end_mark.index) == (3, 5, 3, 8)
    block = yaml_get(documents[1], "e")
    assert (block.value, block.style) == ("f\n", "|")  # type: ignore[union-attr]


def test_mapping_helpers() -> None:
    (root,) = composed("a: 1\n? [k]\n: 2\na: 3\n")
    assert [name for name, _ in yaml_items(root)] == ["a", "a"]  # the complex key is left out
    assert yaml_get(root, "a").value == "3"  # type: ignore[union-attr] # the last, as a loader
    assert yaml_get(root, "missing") is None and yaml_get(None, "a") is None
    assert yaml_items(yaml_get(root, "a")) == []


def test_scalars_visit_aliased_nodes_once_even_in_a_loop() -> None:
    (root,) = composed("a: &x\n  k: v\n  self: *x\nb: *x\n")
    assert [node.value for node in yaml_scalars(root, keys=False)] == ["v"]
    assert [node.value for node in yaml_scalars(root, keys=True)] == ["a", "k", "v", "self", "b"]


def test_anchors_are_scoped_to_their_document_and_may_be_redefined(loader: str) -> None:
    (root,) = composed("a: &x 1\nb: &x 2\nc: *x\n")
    assert yaml_get(root, "c").value == "2"  # type: ignore[union-attr]
    assert error(compose_yaml(TextFile("w.yml", "a: &x 1\n---\nb: *x\n")))[:2] == (3, 4)
    assert "undefined alias 'x'" in error(compose_yaml(TextFile("w.yml", "b: *x\n")))[2]


def test_yaml_errors_say_where_and_why(loader: str) -> None:
    line, column, message = error(compose_yaml(TextFile("w.yml", "a:\r\n  b: [1, 2\r\n")))
    assert (line, column) == (3, 1)
    assert message.startswith("invalid YAML: while parsing a flow sequence, ")
    assert "expected ',' or ']'" in message
    assert error(compose_yaml(TextFile("w.yml", "a: b: c\n")))[:2] == (1, 5)


def test_forbidden_characters_are_placed_in_characters_not_bytes(loader: str) -> None:
    """libyaml gives the position of a forbidden character in UTF-8 bytes: é and 😀 count one."""
    line, column, message = error(
        compose_yaml(TextFile("w.yml", "x: 1\na: \u00e9\U0001f600\x07\n"))
    )
    assert (line, column) == (2, 6)
    assert message.startswith("invalid YAML: unacceptable character #x0007: ")
    assert "\n" not in message


def test_compose_needs_no_recursion_for_deep_block_nesting(loader: str) -> None:
    depth = MAX_DEPTH - 1  # PyYAML's own Python composer stops at the recursion limit here
    (root,) = composed("a:\n  " + "- " * depth + "deep\n")
    (deepest,) = yaml_scalars(root, keys=False)
    assert (deepest.value, deepest.start_mark.index) == ("deep", 5 + 2 * depth)


@pytest.mark.parametrize(
    ("prefix", "opening", "closing"),
    [("a: ", "[", "]"), ("a: ", "{b: ", "}"), ("a:\n  ", "- ", "")],
    ids=["flow-sequence", "flow-map", "block"],
)
def test_nesting_is_limited(loader: str, prefix: str, opening: str, closing: str) -> None:
    """Past `MAX_DEPTH`, a parse-error at the collection that goes too deep, whatever the PyYAML
    (libyaml 0.2.6 has a limit of its own near 1,000; older ones have none)."""
    inner = MAX_DEPTH - 1  # under the top-level mapping
    (root,) = composed(prefix + opening * inner + "x" + closing * inner)
    assert [node.value for node in yaml_scalars(root, keys=False)] == ["x"]
    deeper = prefix + opening * (inner + 1) + "x" + closing * (inner + 1)
    line, column, message = error(compose_yaml(TextFile("w.yml", deeper)))
    assert (line, message) == (prefix.count("\n") + 1, TOO_DEEP.format("YAML"))
    assert column == len(prefix.rpartition("\n")[2]) + len(opening) * inner + 1


DEEP_YAML = """
import sys
from mergegate.hooks.textfile import TextFile, compose_yaml, yaml_scalars
depth = 100_000
block = compose_yaml(TextFile("b.yml", "a:\\n  " + "- " * depth + "deep\\n"))
print(block.message)
flow = compose_yaml(TextFile("f.yml", "a: " + "[" * depth + "x" + "]" * depth + "\\n"))
print(flow.message)
"""


def test_100000_levels_neither_crash_nor_hang() -> None:
    """PyYAML's C composer before 6.0.4 killed the interpreter on such input (from about 40,000
    levels): run it in a child process so that a crash fails this test and nothing else. Both
    stop at the limit, where an older libyaml would need about a minute for the flow nesting.
    The timeout only catches a hang."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(DEEP_YAML)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.splitlines()
        == [
            "cannot parse the file: nesting too deep for the YAML parser",
        ]
        * 2
    )


YAMLISH = st.lists(
    st.sampled_from(
        list(" \t\n\r:-?,[]{}#&*!|>'\"%@`\\.\u00e9\ufeff\x07\x85\u2028") + ["a", "&a", "*a"]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=YAMLISH)
def test_any_yaml_text_gives_nodes_or_a_placed_parse_error(text: str) -> None:
    file = TextFile("w.yml", text)
    result = compose_yaml(file)
    if isinstance(result, Finding):
        assert 1 <= result.line <= len(file.lines) and result.column >= 1
        assert result.message.startswith("invalid YAML: ") and "\n" not in result.message
    else:
        for root in result:
            for node in yaml_scalars(root, keys=True):
                assert 0 <= node.start_mark.index <= node.end_mark.index <= len(file.text)


# TOML and INI ------------------------------------------------------------------------------------


def test_toml_parses_or_says_where_it_fails() -> None:
    assert parse_toml(TextFile("p.toml", "[a]\r\nb = 1\r\n")) == {"a": {"b": 1}}
    assert error(parse_toml(TextFile("p.toml", "[a]\nb = 1\nb = 2\n")))[0] == 3
    line, column, message = error(parse_toml(TextFile("p.toml", "a = [1,\n")))
    assert (line, column) == (2, 1) and message.startswith("invalid TOML: ")
    assert error(parse_toml(TextFile("p.toml", "a = " + "[" * 100_000))) == (
        1,
        1,
        "cannot parse the file: nesting too deep for the TOML parser",
    )


def test_toml_and_ini_skip_the_bom_as_coverage_py_does() -> None:
    """coverage.py 7.18 and later read configuration as `utf-8-sig`: a BOM is no error."""
    assert parse_toml(decoded(b"\xef\xbb\xbfa = 1\n")) == {"a": 1}
    parser = parse_ini(decoded(b"\xef\xbb\xbf[report]\nfail_under = 90\n"))
    assert not isinstance(parser, Finding) and parser.get("report", "fail_under") == "90"


def test_ini_parses_without_interpolation_or_says_which_line_fails() -> None:
    parser = parse_ini(TextFile("setup.cfg", "[a]\r\nb = %(c)s\r\n"))
    assert not isinstance(parser, Finding) and parser.get("a", "b") == "%(c)s"
    line, column, message = error(parse_ini(TextFile("setup.cfg", "[a]\nb = 1\n\nno equals\n")))
    assert (line, column) == (4, 1) and message.startswith("invalid INI: ")
    assert "\n" not in message
    assert error(parse_ini(TextFile("setup.cfg", "[a]\nb = 1\nb = 2\n")))[:2] == (3, 1)


# Where TOML pairs and INI options are written --------------------------------------------------

TRICKY_TOML = '''\
# a comment with [brackets] and key = "value"
title = "x = [not a table]" # trailing comment
"quoted.key" = 1
a . b . 'c.d' = { e = [1, 2, [3, "]"]], f = "it's" }
multi = """
[not.a.table]
fake = "line" \\
"""
literal = \'\'\'
x = 1\'\'\'
quotes = """ends with two quotes""""\"
array = [
  "one", # comment ]
  'two',
]

[tool.x]
y = 1

[[tool.list]]
name = "first"

[[tool.list]]
name = "second"
dotted.inner = true
'''


def test_toml_pairs_match_tomllib() -> None:
    tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")

    document = tomllib.loads(TRICKY_TOML)
    source = TextFile("t.toml", TRICKY_TOML)
    seen = []
    for path, key_start, value_start, value_end in toml_pairs(source.text):
        value = toml_value(source, value_start, value_end)
        seen.append((path, value))
        assert TRICKY_TOML[key_start:value_start].rstrip().endswith("=")
        assert toml_lookup(document, path) == value
    assert seen == [
        (("title",), "x = [not a table]"),
        (("quoted.key",), 1),
        (("a", "b", "c.d"), document["a"]["b"]["c.d"]),
        (("multi",), document["multi"]),
        (("literal",), document["literal"]),
        (("quotes",), document["quotes"]),
        (("array",), ["one", "two"]),
        (("tool", "x", "y"), 1),
        (("tool", "list", 0, "name"), "first"),
        (("tool", "list", 1, "name"), "second"),
        (("tool", "list", 1, "dotted", "inner"), True),
    ]


def test_toml_pairs_of_this_repository_pyproject() -> None:
    tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")

    text = (Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    document = tomllib.loads(text)
    source = TextFile("pyproject.toml", text)
    for path, _, value_start, value_end in toml_pairs(source.text):
        assert toml_value(source, value_start, value_end) == toml_lookup(document, path)


ARRAYS_OF_TABLES = """\
[[x]]
name = "a"
[[x.y]]
v = 1
[[x.y]]
v = 2
[x.z]
w = "under the first x"

[[x]]
name = "b"
[[x.y]]
v = 3
[x.z]
w = "under the second x"

[[tool.mypy.overrides]]
module = ["yaml.*"]
ignore_missing_imports = true

[[tool.mypy.overrides]]
module = "tests.*"
"""


def test_toml_pairs_in_arrays_of_tables_resolve_to_their_element() -> None:
    tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")

    document = tomllib.loads(ARRAYS_OF_TABLES)
    source = TextFile("t.toml", ARRAYS_OF_TABLES)
    pairs = toml_pairs(source.text)
    assert [path for path, *_ in pairs] == [
        ("x", 0, "name"),
        ("x", 0, "y", 0, "v"),
        ("x", 0, "y", 1, "v"),
        ("x", 0, "z", "w"),
        ("x", 1, "name"),
        ("x", 1, "y", 0, "v"),
        ("x", 1, "z", "w"),
        ("tool", "mypy", "overrides", 0, "module"),
        ("tool", "mypy", "overrides", 0, "ignore_missing_imports"),
        ("tool", "mypy", "overrides", 1, "module"),
    ]
    for path, _, value_start, value_end in pairs:
        assert toml_value(source, value_start, value_end) == toml_lookup(document, path)


def test_toml_lookup_misses_are_none() -> None:
    document = {"a": [{"b": 1}], "c": 2}
    assert toml_lookup(document, ("a", 0, "b")) == 1
    assert toml_lookup(document, ("a", 1, "b")) is None  # past the last element
    assert toml_lookup(document, ("a", "b")) is None  # a key into an array
    assert toml_lookup(document, ("c", 0)) is None  # an index into a number
    assert toml_lookup(document, ("c", "d")) is None and toml_lookup(document, ()) == document


def test_toml_leaves_follow_inline_tables() -> None:
    value = {"report": {"fail_under": 90, "skip": [1]}, "x": 1}
    assert list(toml_leaves(("tool",), value)) == [
        (("tool", "report", "fail_under"), 90),
        (("tool", "report", "skip"), [1]),
        (("tool", "x"), 1),
    ]


INI = """\
[DEFAULT]
top = 1
[coverage:report]
; a comment = no option
Fail_Under : 90
exclude_lines =
    pragma: no cover
    if x = 1:

# comment
[other]
key=value
"""


def test_ini_options_are_placed_where_configparser_reads_them() -> None:
    parser = parse_ini(TextFile("setup.cfg", INI))
    assert not isinstance(parser, Finding)
    options = ini_options(INI)
    assert [(section, key) for section, key, _, _ in options] == [
        ("DEFAULT", "top"),
        ("coverage:report", "fail_under"),
        ("coverage:report", "exclude_lines"),
        ("other", "key"),
    ]
    for section, key, start, end in options:
        first_line = INI[start:end].strip()
        assert parser.get(section, key).strip().startswith(first_line)
    assert INI[options[1][2] : options[1][3]] == "90"


# The repository ----------------------------------------------------------------------------------


def test_repository_reads_and_parses_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.toml").write_text("A = 1\n", encoding="utf-8")
    (tmp_path / "broken.toml").write_text("a = \n", encoding="utf-8")
    (tmp_path / "latin.cfg").write_bytes(b"[a]\nb = \xe9\n")
    (tmp_path / "folder").mkdir()
    repo = Repository(str(tmp_path))
    reads: list[str] = []
    real = textfile.read_file
    monkeypatch.setattr(
        textfile,
        "read_file",
        lambda path, *shown, **how: reads.append(path) or real(path, *shown, **how),
    )
    parsed = repo.read_toml("a.toml")
    assert parsed is not None and parsed[1] == {"A": 1}
    assert repo.read_toml("a.toml") is parsed and repo.holds("a.toml", "a = 1")  # any case
    assert repo.read_toml("broken.toml") is None and repo.read_toml("broken.toml") is None
    assert repo.read_ini("latin.cfg") is None and repo.text("latin.cfg") is None
    assert [(error.path, error.line) for error in repo.errors] == [
        ("broken.toml", 1),
        ("latin.cfg", 2),
    ]
    assert [os.path.basename(path) for path in reads] == ["a.toml", "broken.toml", "latin.cfg"]
    assert repo.files() == ["a.toml", "broken.toml", "latin.cfg"]  # no folders
    assert repo.exists("a.toml") and not repo.exists("A.toml") and not repo.exists("folder")
    assert repo.files("missing") == [] and not repo.holds("missing/x", "x")


def test_importing_loads_no_parser() -> None:
    """The parsers, `re` and `bisect` are imported on first use, not when a hook starts."""
    code = (
        "import sys; import mergegate.hooks.cli, mergegate.hooks.source, mergegate.hooks.files;"
        " before = set(sys.modules)"
        "; import mergegate.hooks.textfile; print(sorted(set(sys.modules) - before))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["['mergegate.hooks.textfile']"], result
