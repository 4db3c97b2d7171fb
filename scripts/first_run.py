"""What scripts/run.sh does on a database without any user: load the demo, or say how to start.

The demo data has well-known logins (password ``demo``, a superuser ``admin``), so it loads by
itself only in development (``DJANGO_DEBUG=1``, the default of ``make run``). In production it
loads only when asked (``ERP_PORTAL_DEMO=1``); otherwise this prints how to create the first
administrator (``manage.py create_admin``). ``ERP_PORTAL_DEMO=0`` (or the older ``SEED_DEMO=0``)
skips the demo in development too. A database that has users is left alone: seed_demo is
idempotent, but skipping it keeps startup fast and deleted demo rows deleted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
YES = frozenset({"1", "true", "yes", "on"})


class Step(Enum):
    NOTHING = "nothing"  # the database has users already
    DEMO = "demo"
    CREATE_ADMIN = "create_admin"  # empty, and no demo: say how to create the first admin


def first_run_step(*, has_users: bool, debug: bool, env: Mapping[str, str]) -> Step:
    """The decision alone (no database, no Django), from the environment run.sh passes on."""
    if has_users:
        return Step.NOTHING
    asked = env.get("ERP_PORTAL_DEMO", "").strip().lower()
    if asked:
        return Step.DEMO if asked in YES else Step.CREATE_ADMIN
    development_default = debug and env.get("SEED_DEMO", "1").strip() == "1"
    return Step.DEMO if development_default else Step.CREATE_ADMIN


def first_run(*, debug: bool, env: Mapping[str, str], stdout: TextIO) -> Step:
    """Decide for this database and do it. Needs Django set up."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    has_users = get_user_model()._default_manager.exists()
    step = first_run_step(has_users=has_users, debug=debug, env=env)
    if step is Step.DEMO:
        stdout.write("==> First run on this database: loading demo data (manage.py seed_demo)\n")
        stdout.flush()
        call_command("seed_demo", stdout=stdout)
    elif step is Step.CREATE_ADMIN:
        stdout.write(create_admin_hint(debug=debug))
    return step


def create_admin_hint(*, debug: bool) -> str:
    python = os.path.relpath(sys.executable, Path.cwd())
    why = "" if debug else " (DJANGO_DEBUG=0: the demo data loads only with ERP_PORTAL_DEMO=1)"
    return (
        f"==> This database has no user yet{why}.\n"
        "    Create the first administrator and the company account to work in, with the same\n"
        "    environment as this script (DJANGO_DEBUG, DJANGO_SECRET_KEY, DATABASE_URL):\n"
        f'      {python} manage.py create_admin --account "Your Company"\n'
        "    It asks for a username, an email address and a password (twice).\n"
    )


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erp_portal.settings")
    import django

    django.setup()
    from django.conf import settings

    first_run(debug=settings.DEBUG, env=os.environ, stdout=sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
