"""What can go wrong between mergegate and GitHub, by what it means for the run.

The kind decides what the run does, so it is a type rather than a message: a refusal keeps the
gate's verdict and falls back to workflow commands; anything else is exit 2, with the fallback
unless the check run already exists.
"""

from __future__ import annotations


class GitHubError(Exception):
    """GitHub could not be told, or did not answer as it should (a bad environment, retries
    spent, a 4xx, an answer that is not what was asked for): exit 2."""


class Refused(GitHubError):
    """The token may not write (none given, or a fork's read-only token): the findings go out as
    workflow commands instead, and the gate's verdict stands."""


class Incomplete(GitHubError):
    """The check run exists with its conclusion, but some of its annotations are missing: exit 2,
    and no fallback, which would annotate the same findings twice."""
