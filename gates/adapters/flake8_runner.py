"""Run flake8 with the project's own configuration and print what it reports as one JSON document.

flake8_adapter starts this file in a fresh interpreter (the one mergegate runs in, with the project
root as working folder), so flake8's configuration files and installed plugins are the user's.
flake8 has no JSON output of its own, and a `--format` template would mix file names, which may
contain any character, into the text we must parse back; a formatter object that keeps the
violations avoids both. It also never opens an `output-file` the configuration may name, and
prints no statistics or benchmarks. Only this file's standard library and flake8 are imported:
the adapter runs it by path, so it works wherever flake8 is installed.

Standard output carries the JSON document and nothing else: whatever flake8, a plugin or a worker
process prints goes to standard error. Exit status 0 means the document is complete.
"""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> int:
    result = os.fdopen(os.dup(1), "w", encoding="utf-8", errors="surrogateescape")
    os.dup2(2, 1)  # fd 1 now reaches stderr, in this process and in flake8's workers

    from flake8.formatting.base import BaseFormatter
    from flake8.main.application import Application
    from flake8.violation import Violation

    class Collector(BaseFormatter):  # type: ignore[misc]  # flake8 ships no type information
        """Keeps each reported violation instead of printing it."""

        def after_init(self) -> None:
            self.violations: list[tuple[str, int, int, str, str]] = []

        def start(self) -> None:
            """Do not open the configured output file: nothing is written but our JSON."""

        def handle(self, error: Violation) -> None:
            self.violations.append(
                (error.filename, error.line_number, error.column_number, error.code, error.text)
            )

        def stop(self) -> None:
            """Nothing was opened, so nothing to close."""

    application = Application()
    application.initialize(argv)  # the user's configuration and plugins, our command line
    collector = Collector(application.options)
    application.formatter = collector
    application.make_guide()  # rebuilt so that select/ignore/noqa decisions reach the collector
    application.make_file_checker_manager(argv)
    application.run_checks()
    if application.catastrophic_failure:  # a plugin crashed; flake8 printed why (to stderr)
        return 1
    application.report_errors()
    json.dump(collector.violations, result)
    result.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
