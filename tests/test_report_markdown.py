"""The Markdown summary: verdict, counts, what blocked, findings by tier; bounded in UTF-8 bytes
with an honest "N more not shown" note; hostile paths and messages render as plain text."""

from __future__ import annotations

import re

import pytest
from helpers import item
from markdown_it import MarkdownIt

from mergegate.gates.model import BASELINED, EXISTING, SUPPRESSED, Item, Outcome
from mergegate.gates.reports import ReportContext, render
from mergegate.gates.reports.markdown import CHECK_RUN_SUMMARY_BYTES, size
from mergegate.hooks.finding import Finding

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
HOSTILE_PATH = "a,b:c%25\n::add-mask::x.py"
HOSTILE_MESSAGE = "<img src=x onerror=alert(1)> | *b* [l](https://e.example) `c` @octocat\n# h"
NOTE = re.compile(r"\*\*(?:(\d+) more errors? and )?(\d+) more findings? not shown\*\*")


def markdown(outcome: Outcome, **context: object) -> str:
    return render("markdown", outcome, ReportContext(**context))  # type: ignore[arg-type]


def tables(text: str) -> list[list[list[str]]]:
    """Every table's body rows as lists of cell texts (inline content as the reader sees it)."""
    found: list[list[list[str]]] = []
    row: list[str] = []
    tokens = PARSER.parse(text)
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            found.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type == "td_open":
            inline = tokens[index + 1]
            row.append("".join(child.content for child in inline.children or []))
        elif token.type == "tr_close" and row:
            found[-1].append(row)
    return found


def headings(text: str) -> list[str]:
    tokens = PARSER.parse(text)
    return [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]


def mixed_outcome() -> Outcome:
    return Outcome(
        items=[
            item("MG101", "a.py", 3, message="bare except"),
            item("MG401", "b.py", 7, message="racy"),
            item("MG101", "old.py", 1, state=BASELINED, reason="in baseline b.json"),
            item("MG201", "c.py", 2, severity="P1", message="unused global"),
            item("MG201", "d.py", 5, severity="P1", state=EXISTING),
            item("MG301", "e.py", 1, severity="P2", state=SUPPRESSED, reason="# noqa"),
            item("F401", "f.py", 1, severity="P3", tool="flake8", message="unused import"),
        ],
        files_checked=6,
        tools=["mergegate", "flake8"],
    )


def test_verdict_counts_and_what_blocked() -> None:
    text = markdown(mixed_outcome())
    assert text.startswith("## ❌ mergegate: blocked\n")
    counts, *_ = tables(text)
    assert counts == [
        ["P0", "2", "0", "1", "0"],
        ["P1", "1", "1", "0", "0"],
        ["P2", "0", "0", "0", "1"],
        ["P3", "1", "0", "0", "0"],
        ["total", "4", "1", "1", "1"],
    ]
    assert "**Blocked by 2 new findings** at P0 or above: 2 P0." in text
    assert "4 new in 6 files checked." in text


def test_findings_grouped_new_by_tier_then_held_back_and_suppressed_not_listed() -> None:
    text = markdown(mixed_outcome())
    assert headings(text)[1:] == [
        "P0 · new (2)",
        "P1 · new (1)",
        "P3 · new (1)",
        "P0 · held back (1)",
        "P1 · held back (1)",
    ]
    rows = [row for table in tables(text)[1:] for row in table]
    assert rows == [
        ["a.py:3", "MG101", "blocking", "bare except"],
        ["b.py:7", "MG401", "blocking", "racy"],
        ["c.py:2", "MG201", "new", "unused global"],
        ["f.py:1", "flake8 F401", "new", "unused import"],
        ["old.py:1", "MG101", "baselined", "a message"],
        ["d.py:5", "MG201", "existing", "a message"],
    ]
    assert "e.py" not in text


@pytest.mark.parametrize(
    ("outcome", "heading", "decision"),
    [
        (Outcome(items=[]), "## ✅ mergegate: passed", "No new finding at P0 or above blocks."),
        (
            Outcome(items=[item("MG101", fail_on="never")], fail_on="never"),
            "## ✅ mergegate: passed",
            "Nothing blocks: `--fail-on never` only reports.",
        ),
        (
            Outcome(items=[], errors=["flake8: crashed"]),
            "## ⚠️ mergegate: error",
            "**1 error** made the result untrustworthy (exit 2).",
        ),
    ],
)
def test_verdicts(outcome: Outcome, heading: str, decision: str) -> None:
    text = markdown(outcome)
    assert text.splitlines()[0] == heading
    assert decision in text


def test_errors_are_listed_and_fixed_baseline_entries_counted() -> None:
    fixed = [{"rule": "bare-except", "code": "MG101", "path": "a.py", "content": "x", "count": 2}]
    outcome = Outcome(items=[], errors=["a.py: cannot read <b>", "b.py: *x*"], fixed=fixed)
    text = markdown(outcome)  # type: ignore[arg-type]
    assert "### Errors" in text
    tokens = PARSER.parse(text)
    items = [tokens[i + 2].content for i, t in enumerate(tokens) if t.type == "list_item_open"]
    assert [PARSER.parseInline(i)[0].children[0].content for i in items] == outcome.errors
    assert "2 baselined findings fixed since the baseline was written" in text


def test_locations_link_to_the_line_when_a_link_is_given() -> None:
    found = item("MG101", "dir name/a(1).py", 3)
    text = markdown(
        Outcome(items=[found]), link=lambda f: f"https://github.com/o/r/blob/abc/{f.path}#L{f.line}"
    )
    links = [
        (token.attrs["href"], token)
        for block in PARSER.parse(text)
        if block.type == "inline"
        for token in block.children or []
        if token.type == "link_open"
    ]
    assert [href for href, _ in links] == [
        "https://github.com/o/r/blob/abc/dir%20name/a%281%29.py#L3"
    ]
    assert tables(text)[1][0][0] == "dir name/a(1).py:3"


def test_hostile_paths_messages_and_codes_render_as_text() -> None:
    hostile = [
        item("MG101", HOSTILE_PATH, 1, message=HOSTILE_MESSAGE),
        item("X|1", "p.py", 2, tool="flake8", severity="P3", message="**x** <script>"),
    ]
    text = markdown(Outcome(items=hostile), link=lambda f: f"https://h/{f.path}) [x](https://evil")
    tokens = PARSER.parse(text)
    kinds = {
        child.type for token in tokens if token.type == "inline" for child in token.children or []
    }
    assert kinds <= {"text", "link_open", "link_close", "strong_open", "strong_close"}
    assert not any(token.type == "html_block" for token in tokens)
    links = [
        child
        for token in tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type == "link_open"
    ]
    assert len(links) == 2  # ours, one per finding, nothing the text added
    rows = [row for table in tables(text)[1:] for row in table]
    assert rows == [
        [
            "a,b:c%25\u240a::add-mask::x.py:1",
            "MG101",
            "blocking",
            "<img src=x onerror=alert(1)> | *b* [l](https://e.example) `c` @\u200boctocat\u240a# h",
        ],
        ["p.py:2", "flake8 X|1", "new", "**x** <script>"],
    ]


def many_findings(count: int) -> list[Item]:
    """`count` findings over every tier and state, with multi-byte text, in pipeline order."""
    tiers = ("P0", "P1", "P2", "P3")
    found = [
        item(
            "MG301",
            f"pkg/模块_{n}.py",
            n,
            severity=tiers[n % 4],
            state=(BASELINED if n % 5 == 0 else "new"),
            message=f"message {n} with é and 😀",
        )
        for n in range(1, count + 1)
    ]
    return sorted(found, key=lambda i: (i.severity, i.finding.sort_key()))


@pytest.mark.parametrize("limit", [900, 1000, 1500, 4000, 20000, 65535])
def test_bounded_output_fits_and_says_what_was_cut(limit: int) -> None:
    items = many_findings(1000)
    outcome = Outcome(items=items, errors=[f"e{n}.py: unreadable" for n in range(3)])
    assert size(markdown(outcome, max_chars=10**9)) > 65535
    text = markdown(outcome, max_chars=limit)
    assert size(text) <= limit
    assert len(text) <= limit
    note = NOTE.search(text)
    shown = [row for table in tables(text)[1:] for row in table]
    listed = [i for i in items if i.state != SUPPRESSED]
    assert note is not None
    assert int(note.group(2)) == len(listed) - len(shown)
    order = [i for i in listed if i.state == "new"] + [i for i in listed if i.state != "new"]
    expected = [f"{i.finding.path}:{i.finding.line}" for i in order[: len(shown)]]
    assert [row[0] for row in shown] == expected  # what is cut is always the least important
    tiers = dict(
        (tier, int(n)) for n, tier in re.findall(r"(\d+) (P\d)", text[note.end() :].split("\n")[0])
    )
    cut = order[len(shown) :]
    assert tiers == {t: sum(1 for i in cut if i.severity == t) for t in tiers}
    assert sum(tiers.values()) == len(cut)


def test_the_cut_is_tight() -> None:
    """A finding is cut only when it does not fit: its row's size more shows exactly one more."""
    outcome = Outcome(items=[item("MG101", f"m{n:03}.py", n) for n in range(1, 60)])
    text = markdown(outcome, max_chars=3000)
    shown = tables(text)[1]
    assert 0 < len(shown) < 59
    next_row = next(
        line
        for line in markdown(outcome, max_chars=10**9).splitlines()
        if line.startswith(f"| m{len(shown) + 1:03}\\.py")
    )
    more = markdown(outcome, max_chars=3000 + size(next_row + "\n"))
    assert len(tables(more)[1]) == len(shown) + 1


def test_a_report_that_fits_exactly_has_no_note() -> None:
    outcome = Outcome(items=many_findings(20))
    full = markdown(outcome, max_chars=10**9)
    assert markdown(outcome, max_chars=size(full)) == full
    cut = markdown(outcome, max_chars=size(full) - 1)
    assert size(cut) <= size(full) - 1
    assert NOTE.search(cut) and not NOTE.search(full)


def test_omitted_errors_are_counted_too() -> None:
    outcome = Outcome(items=[item("MG101")], errors=[f"e{n}.py: unreadable" for n in range(100)])
    text = markdown(outcome, max_chars=1200)
    note = NOTE.search(text)
    assert note is not None and note.group(1) is not None
    listed_errors = text.count("unreadable")
    assert int(note.group(1)) == 100 - listed_errors
    assert note.group(2) == "1"


def test_a_bound_too_small_for_the_verdict_fails_loudly() -> None:
    outcome = Outcome(items=many_findings(10))
    with pytest.raises(ValueError, match="needs"):
        markdown(outcome, max_chars=200)


def test_size_counts_bytes_not_characters() -> None:
    outcome = Outcome(items=[item("MG101", "日本語" * 50 + ".py", n) for n in range(1, 40)])
    text = markdown(outcome, max_chars=4000)
    row = next(line for line in text.splitlines() if "日本語" in line)
    assert size(text) <= 4000
    assert NOTE.search(text)
    assert len(text) + len(row) < 4000  # counted in characters, another row would have fitted


def test_unbounded_lists_everything() -> None:
    items = many_findings(120)
    text = markdown(Outcome(items=items))
    assert NOTE.search(text) is None
    assert sum(len(table) for table in tables(text)[1:]) == 120


def test_hostile_finding_record_fields_never_break_the_table() -> None:
    finding = Finding("x", "A|B\nC", "p|q.py", 1, 1, 1, 2, "m|n\r\no", "tool|x")
    text = markdown(Outcome(items=[Item(finding, severity="P2")]))
    (row,) = tables(text)[1]
    assert row == ["p|q.py:1", "tool|x A|B\u240aC", "new", "m|n\u240d\u240ao"]


def test_the_default_bound_is_a_check_run_summary() -> None:
    """From the command line too: the report fits where it is made to go."""
    outcome = Outcome(items=many_findings(1000))
    text = markdown(outcome)
    assert size(text) <= CHECK_RUN_SUMMARY_BYTES < size(markdown(outcome, max_chars=10**9))
    assert NOTE.search(text) is not None
