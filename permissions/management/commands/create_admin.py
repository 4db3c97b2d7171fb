from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from permissions.first_admin import first_admin_create, password_errors, username_errors

PASSWORD_VARIABLE = "ERP_PORTAL_ADMIN_PASSWORD"  # nosec B105  # a variable's name
LABELS = {"username": "Username", "email": "Email", "password": "Password", "account": "Account"}  # nosec B105  # labels


class Command(BaseCommand):
    help = (
        "Create an administrator (a superuser) with a password the password validators accept. "
        "With --account, also create that company account and make them its admin (Admin on "
        f"every tool). Asks for what is missing; with --no-input the password comes from "
        f"{PASSWORD_VARIABLE}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="", help="Their login name.")
        parser.add_argument("--email", default=None, help="Their email address (may be empty).")
        parser.add_argument(
            "--account",
            default="",
            metavar="NAME",
            help='Also create the company account "NAME", with them as its admin.',
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help=f"Never ask: --username is required and the password is read from "
            f"{PASSWORD_VARIABLE}.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interactive: bool = options["interactive"]
        username: str = options["username"]
        email: str | None = options["email"]
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if not interactive:
            if not username:
                raise CommandError("--username is required with --no-input.")
            if not password:
                raise CommandError(f"Set {PASSWORD_VARIABLE} to the password with --no-input.")
        else:
            username = username or self._ask_username()
            if email is None:
                email = input("Email address (may be empty): ").strip()
            password = password or self._ask_password(username, email)
        try:
            created = first_admin_create(
                username=username,
                email=email or "",
                password=password,
                account_name=options["account"],
            )
        except ValidationError as exc:
            raise CommandError(_describe(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Administrator {created.user.username!r} created."))
        if created.account is not None:
            self.stdout.write(
                f"Account {created.account.name!r} created; they are its admin (Admin on every "
                "tool, every privilege)."
            )
        else:
            self.stdout.write(
                "No account was created: run with --account NAME, or add one in the admin site."
            )

    def _ask_username(self) -> str:
        while True:
            username = input("Username: ").strip()
            problems = username_errors(username)
            if not problems:
                return username
            self._refuse(problems)

    def _ask_password(self, username: str, email: str) -> str:
        while True:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self._refuse(["The two passwords differ."])
                continue
            problems = password_errors(password=password, username=username, email=email)
            if not problems:
                return password
            self._refuse(problems)

    def _refuse(self, problems: list[str]) -> None:
        for problem in problems:
            self.stderr.write(f"Error: {problem}")


def _describe(exc: ValidationError) -> str:
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    return "\n".join(
        f"{LABELS.get(field, field)}: {message}"
        for field, errors in exc.message_dict.items()
        for message in errors
    )
