from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from permissions.matrix import GRID_LEVELS, compute_matrix


class Command(BaseCommand):
    help = "Print the permission matrix as the policy function answers it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--json", action="store_true", help="Print JSON (one object per action)."
        )
        parser.add_argument(
            "--allow-standard-approvers",
            action="store_true",
            help="Answer as for an account that lets Standard users accept and reject.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = compute_matrix(allow_standard_approvers=options["allow_standard_approvers"])
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        header = f"{'action':44} " + " ".join(f"{k:>9}" for k in GRID_LEVELS)
        self.stdout.write(header + "   (approver/plain)")
        for row in rows:
            cells = " ".join(f"{_cell(row['grid'][k]):>9}" for k in GRID_LEVELS)
            self.stdout.write(f"{row['action']:44} {cells}")


def _cell(answers: dict[str, bool]) -> str:
    return "/".join("Y" if answers[role] else "-" for role in ("approver", "plain"))
