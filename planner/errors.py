"""The one exception family for problems a user can fix.

Bugs stay bugs: only conditions caused by input, files or the environment are
raised as `PlannerError`, and every message says what is wrong and how to fix it.
"""

from __future__ import annotations


class PlannerError(Exception):
    """A problem the user can fix; the message says how."""

    exit_code = 1


class InputError(PlannerError):
    """An impossible or malformed value (negative context, 0 GPUs, bad JSON)."""

    exit_code = 2


class UnknownNameError(InputError):
    """A name that matches nothing in the catalog; lists the closest matches."""

    def __init__(self, kind: str, name: str, suggestions: list[str]) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = suggestions
        hint = f" Closest matches: {', '.join(suggestions)}." if suggestions else ""
        super().__init__(f"unknown {kind} {name!r}.{hint} List them with `planner catalog {kind}s --search TEXT`.")


class AmbiguousNameError(InputError):
    """A name that matches several catalog entries; lists them."""

    def __init__(self, kind: str, name: str, candidates: list[str]) -> None:
        self.kind = kind
        self.name = name
        self.candidates = candidates
        super().__init__(f"{kind} name {name!r} is ambiguous: it matches {', '.join(candidates)}. Use the full name.")


class CatalogError(PlannerError):
    """The shipped catalog file is missing, corrupt or from another version."""


class UserDataError(PlannerError):
    """The user database or a user file cannot be read or written."""


class OperationCancelled(PlannerError):
    """The user cancelled a long operation; whatever it was making was not written."""
