"""Exception and warning types, and the source locations that errors point at."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceLocation:
    """A place in an input file: path, 1-based line and column (0 when unknown)."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.file}:{self.line}:{self.column}"
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file


def printable(text: str) -> str:
    """Escape characters that are not printable (control characters, line and paragraph separators),
    so a message stays on one line and shows what the input really held."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
                   for ch in text)


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: where, which key path, what is wrong."""

    message: str
    location: SourceLocation | None = None
    key_path: str = ""

    def __str__(self) -> str:
        parts = []
        if self.location is not None:
            parts.append(str(self.location))
        if self.key_path:
            parts.append(self.key_path)
        parts.append(self.message)
        return printable(": ".join(parts))


class EconError(Exception):
    """Base class of every error raised on purpose by econ.

    Carries a list of :class:`Problem`; ``str(err)`` is one line per problem.
    """

    def __init__(self, problems: "list[Problem] | Problem | str"):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ScenarioError(EconError, ValueError):
    """A scenario file (YAML) is malformed or inconsistent."""


class DataError(EconError, ValueError):
    """A data table (CSV) is malformed or inconsistent."""


class ModelError(EconError):
    """A model invariant is broken at run time (e.g. a transition row does not sum to 1)."""


class LimitError(EconError, ValueError):
    """A request exceeds a configured limit (cycles, states, draws, memory)."""


class EconWarning(UserWarning):
    """Base class of econ warnings."""


class ScenarioWarning(EconWarning):
    """Something in a scenario file is probably a mistake but not invalid (e.g. a new parameter in a
    child scenario that nothing uses). ``problem`` is the located :class:`Problem`; the command line
    prints it as ``warning: file:line:col: key: message`` and ``validate --strict`` makes it an error."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class SyntheticDataWarning(EconWarning):
    """Results were made from data labelled synthetic: they illustrate the method and are not evidence."""
