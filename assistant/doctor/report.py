"""The system report's types and its plain-text form: checks grouped in sections, then every
problem again, one a line, with what to do about it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from assistant.text import normalise_space


NAME_WIDTH = 36  # a longer name overflows its column rather than push every detail right


class Status(Enum):
    OK = "ok"
    NOTE = "note"  # worth knowing, nothing to fix (a check that could not run here)
    PROBLEM = "problem"


def one_line(text: str) -> str:
    return normalise_space(text)


@dataclass(frozen=True)
class Check:
    section: str  # "Versions", "Models", "Machine", "Data", "Desktop", "Indexes"
    name: str
    status: Status
    detail: str
    remedy: str = ""  # one line: what to do; set for every problem

    def __post_init__(self):
        if self.status is Status.PROBLEM and not self.remedy:
            raise ValueError(f"the problem '{self.name}' needs a remedy: a report must say what to do")


def ok(section: str, name: str, detail: str) -> Check:
    return Check(section, name, Status.OK, detail)


def note(section: str, name: str, detail: str, remedy: str = "") -> Check:
    return Check(section, name, Status.NOTE, detail, remedy)


def problem(section: str, name: str, detail: str, remedy: str) -> Check:
    return Check(section, name, Status.PROBLEM, detail, remedy)


@dataclass(frozen=True)
class Report:
    checks: tuple[Check, ...]

    @property
    def problems(self) -> list[Check]:
        return [c for c in self.checks if c.status is Status.PROBLEM]

    @property
    def healthy(self) -> bool:
        return not self.problems

    @property
    def exit_code(self) -> int:
        return 0 if self.healthy else 1

    def section(self, name: str) -> list[Check]:
        return [c for c in self.checks if c.section == name]

    def text(self) -> str:
        """The report as plain text; every detail on one line, however many its source had."""
        lines = ["Clausewise system report"]
        width = min(max((len(c.name) for c in self.checks), default=0), NAME_WIDTH)
        sections = list(dict.fromkeys(c.section for c in self.checks))
        for section in sections:
            lines += ["", section]
            for check in self.section(section):
                lines.append(f"  {'[' + check.status.value + ']':<9} {check.name:<{width}}  {one_line(check.detail)}")
                if check.remedy and check.status is Status.NOTE:
                    lines.append(f"  {'':<9} {'':<{width}}  {one_line(check.remedy)}")
        lines.append("")
        if self.healthy:
            lines.append("No problems found.")
        else:
            lines.append("Problems:")
            for check in self.problems:
                lines.append(f"  - {check.name}: {one_line(check.detail).rstrip('.')}. "
                             f"What to do: {one_line(check.remedy)}")
        return "\n".join(lines) + "\n"
