"""`make demo`: migrate, create an admin, then run sandbox + console + worker cluster + demo driver."""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

ADMIN_USERNAME = "admin"
DEMO_FLAG = "ML_CONNECTOR_DEMO"


class Command(BaseCommand):
    help = "Start the sandbox, the console and the worker cluster together, load the sandbox company and stream changes."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="console port")
        parser.add_argument("--paychex-port", type=int, default=8101)
        parser.add_argument("--visma-port", type=int, default=8102)
        parser.add_argument("--workers", type=int, default=300, help="Paychex workers in the sandbox company")
        parser.add_argument("--change-interval", type=float, default=4.0, help="seconds between scripted changes")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("The demo runs the development server: set DEBUG=True in .env (make demo creates it).")
        if os.environ.get(DEMO_FLAG) != "1":
            restart_on_fresh_database()
        call_command("migrate", verbosity=0)
        password = reset_admin_password()
        procfile = write_procfile(options)
        self.print_banner(options["port"], password)
        # honcho starts every process, prefixes their output, and stops them all on Ctrl-C or when one exits.
        runner = subprocess.Popen([sys.executable, "-m", "honcho", "-f", str(procfile), "start"])
        try:
            runner.wait()
        except KeyboardInterrupt:
            # The terminal sent Ctrl-C to honcho too; make sure it got it, then let it stop its processes.
            runner.send_signal(signal.SIGINT)
            runner.wait()
            self.stdout.write("demo stopped")

    def print_banner(self, port: int, password: str) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"\n  Console:  http://127.0.0.1:{port}/admin/\n"
                f"  Login:    {ADMIN_USERNAME} / {password}\n"
                "  Watch:    the dashboard, Workers, Sync runs and Audit trail fill up; Ctrl-C stops everything.\n"
            )
        )


def restart_on_fresh_database() -> None:
    """Run the demo (and every process it starts) on its own new SQLite file, never on var/db.sqlite3:
    the sandbox starts from its seed each time, so data from an earlier demo would only disagree with it."""
    path = Path(settings.BASE_DIR) / "var" / "demo.sqlite3"
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    os.environ.update({DEMO_FLAG: "1", "DATABASE_URL": f"sqlite:///{path}"})
    os.execv(sys.executable, [sys.executable, *sys.argv])


def reset_admin_password() -> str:
    """Create the demo superuser (or give it a new password) and return the password."""
    password = secrets.token_urlsafe(12)
    user, _ = get_user_model().objects.get_or_create(username=ADMIN_USERNAME, defaults={"email": "admin@localhost"})
    user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    return password


def write_procfile(options: dict[str, Any]) -> Path:
    python = sys.executable
    console_url = f"http://127.0.0.1:{options['port']}"
    lines = {
        "sandbox": f"{python} -m sandbox --paychex-port {options['paychex_port']} --visma-port {options['visma_port']}"
        f" --workers {options['workers']} --webhook-retry-seconds 10",
        "web": f"{python} manage.py runserver 127.0.0.1:{options['port']} --noreload",
        "worker": f"{python} manage.py qcluster",
        "driver": f"{python} manage.py demo_driver --paychex-url http://127.0.0.1:{options['paychex_port']}"
        f" --visma-url http://127.0.0.1:{options['visma_port']} --console-url {console_url}"
        f" --change-interval {options['change_interval']}",
    }
    path = Path(settings.BASE_DIR) / "var" / "Procfile.demo"
    path.parent.mkdir(exist_ok=True)
    path.write_text("".join(f"{name}: {command}\n" for name, command in lines.items()), encoding="utf-8")
    return path
