"""mergegate's checks: one module per pre-commit hook, plus the pieces they share.

Shared: `finding` (the record), `registry` (rules, codes, tiers, docs), `source` (decode and parse
Python once), `noqa`, `paths`, `config` and `cli` (the hook command line). Importing this package
imports nothing else, so a hook starts as fast as the interpreter allows.
"""
