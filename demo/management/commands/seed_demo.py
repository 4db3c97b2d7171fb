from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from demo.data import DEMO_PASSWORD, DEMO_USERS
from demo.seed import seed_demo


class Command(BaseCommand):
    help = (
        "Load the demo account (Summit Ridge Builders) and its users. Safe to run again: "
        "it only adds what is missing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        account = seed_demo(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo account ready: {account.name}"))
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD!r}):")
        for username, role in DEMO_USERS:
            self.stdout.write(f"  {username:<9} {role}")
