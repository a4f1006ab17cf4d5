"""The step outputs in `$GITHUB_OUTPUT`: counts of new findings per tier, `total`, `blocking`,
`conclusion`, and `sarif-file` when a SARIF report was written to a file."""

from __future__ import annotations

import secrets
from typing import Optional

from mergegate.gates.github.checks import conclusion
from mergegate.gates.model import Outcome
from mergegate.hooks.rule import TIERS


def write_outputs(path: str, outcome: Outcome, sarif_file: Optional[str]) -> None:
    """`name=value` for values mergegate makes; the `name<<DELIMITER` form, with a delimiter the
    value cannot contain, for a path the user chose."""
    counts = outcome.counts()
    values = {tier.lower(): str(counts[tier]) for tier in TIERS}
    values["total"] = str(counts["total"])
    values["blocking"] = "true" if outcome.blocking else "false"
    values["conclusion"] = conclusion(outcome)
    lines = [f"{name}={value}\n" for name, value in values.items()]
    if sarif_file is not None:
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        while delimiter in sarif_file:
            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        lines.append(f"sarif-file<<{delimiter}\n{sarif_file}\n{delimiter}\n")
    with open(path, "a", encoding="utf-8", errors="surrogateescape") as handle:
        handle.write("".join(lines))
