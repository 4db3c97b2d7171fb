"""What the workflow refuses, said so the person can act on it."""

from __future__ import annotations

import datetime

from django.utils import formats, timezone

from connectors.base import Problem


class WorkflowError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SendRefused(WorkflowError):
    """The item breaks the ERP's rules; ``problems`` names each field and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("The item cannot be sent: " + " ".join(p.message for p in problems))
        self.problems = problems

    def as_dict(self) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        for problem in self.problems:
            errors.setdefault(problem.field, []).append(problem.message)
        return errors


class InvalidTransition(WorkflowError):
    """The item is not in a state that allows this."""


class DecisionConflict(WorkflowError):
    """Someone already decided (or the sender retrieved) the request."""

    def __init__(
        self, *, label: str, state_label: str, by: str | None, at: datetime.datetime | None
    ) -> None:
        when = formats.date_format(timezone.localtime(at), "DATETIME_FORMAT") if at else ""
        who = f" by {by}" if by else ""
        super().__init__(
            f"{label} was already {state_label.lower()}{who}" + (f" on {when}." if when else ".")
        )
