"""The exceptions glossdeck raises and the Problem record they carry."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in the glossary, located in a file."""

    path: Path | None
    line: int | None
    message: str
    hint: str = ""
    severity: str = "error"  # "error" or "warning"

    def location(self) -> str:
        if self.path is None:
            return "glossdeck"
        where = str(self.path)
        return f"{where}:{self.line}" if self.line else where

    def __str__(self) -> str:
        text = f"{self.location()}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path) if self.path else None,
            "line": self.line,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


class GlossdeckError(Exception):
    """Raised when the glossary cannot be used; carries every problem found, and any file the failed command left
    changed (`changed`: a write that could not be undone), so that no message says "nothing written" then."""

    def __init__(self, problems: list[Problem], changed: list[Path] | tuple[Path, ...] = ()) -> None:
        self.problems = list(problems)
        self.changed = tuple(changed)
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems:
    """Collects problems so that a stage can report all of them, then fail once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def error(self, path: Path | None, line: int | None, message: str, hint: str = "") -> None:
        self.items.append(Problem(path, line, message, hint, "error"))

    def warn(self, path: Path | None, line: int | None, message: str, hint: str = "") -> None:
        self.items.append(Problem(path, line, message, hint, "warning"))

    def extend(self, problems: list[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise GlossdeckError(self.items)
