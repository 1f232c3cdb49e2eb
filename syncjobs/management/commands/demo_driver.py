"""The demo's script: connect to the sandbox, set up, run the initial load, then stream realistic changes.

It plays the integration admin (set-up) and the HR department (changes in Paychex) and now and then a
finance person editing Visma by hand (drift). It drives the sandbox through its control API over HTTP,
like a person at a screen would; the product itself reaches the sandbox only through its connector.
"""
from __future__ import annotations

import os
import random
import secrets
import time
from argparse import ArgumentParser
from typing import Any, Callable

import requests
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django_q.tasks import async_task

from connector.models import Connection

STARTUP_TIMEOUT_SECONDS = 60
NEW_PLANT = "Plant Tampere"
DEMO_KEY_VARIABLE = "ML_CONNECTOR_DEMO_VISMA_KEY"
GIVEN_NAMES = ["Åse", "Øystein", "Märta", "Jörgen", "Ærle", "Kari-Anne", "Sigurður", "Björn", "Liv", "Henrik"]
FAMILY_NAMES = ["Ødegård", "Åkesson", "Lindqvist", "Bjørnstad-Haugen", "Sørensen", "Järvinen", "Nyström"]


class Command(BaseCommand):
    help = "Demo only: configure connections to the sandbox, load it, and stream scripted changes (run by `demo`)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--paychex-url", required=True)
        parser.add_argument("--visma-url", required=True)
        parser.add_argument("--console-url", required=True)
        parser.add_argument("--change-interval", type=float, default=4.0)
        parser.add_argument("--changes", type=int, default=0, help="stop after this many changes (0: run until stopped)")

    def handle(self, *args: Any, **options: Any) -> None:
        paychex_state = wait_for_json(options["paychex_url"] + "/_sandbox/state")
        visma_state = wait_for_json(options["visma_url"] + "/_sandbox/state")
        wait_for_json(options["console_url"] + "/healthz", accept_status=(200, 503))
        self.say("sandbox and console are up; configuring connections")
        configure_connections(paychex_state, visma_state)
        call_command("check_connections")
        # A plant opened in Paychex with no branch in Visma yet (Visma's branches are read-only through the
        # API): workers hired there are held until a person maps the location — the console's fix-it flow.
        plant = post(options["paychex_url"] + "/_sandbox/add_location", {"name": NEW_PLANT})
        self.set_up_mappings()
        call_command("register_webhooks", public_url=options["console_url"])
        subscribe_visma_webhook(options["visma_url"], options["console_url"])
        self.start_initial_load()
        first = post(options["paychex_url"] + "/_sandbox/hire",
                     {"given_name": "Aino", "family_name": "Mäkinen", "location_id": plant["locationId"]})
        self.say(f"Paychex: hired Aino Mäkinen ({first['workerId']}) at {NEW_PLANT}: held until the location is mapped")
        self.stream_changes(options["paychex_url"], options["visma_url"], options["change_interval"], options["changes"])

    def say(self, text: str) -> None:
        self.stdout.write(f"demo: {text}", ending="\n")
        self.stdout.flush()

    def set_up_mappings(self) -> None:
        from mappings.refresh import refresh_catalog_and_match, refresh_reference_and_align

        visma = Connection.objects.get(name="visma")
        paychex = Connection.objects.get(name="paychex")
        self.say(f"Visma catalog: {refresh_catalog_and_match(visma, full=True).summary()}")
        self.say(f"Paychex reference lists: {refresh_reference_and_align(paychex, username='demo').summary()}")

    def start_initial_load(self) -> None:
        paychex = Connection.objects.get(name="paychex")
        async_task("syncjobs.tasks.backfill_company", paychex.pk)
        self.say("initial load queued: watch Sync runs in the console")

    def stream_changes(self, paychex_url: str, visma_url: str, interval: float, limit: int) -> None:
        rng = random.Random(7)
        done = 0
        while not limit or done < limit:
            time.sleep(interval)
            try:
                self.say(make_change(rng, paychex_url, visma_url))
            except requests.RequestException as exc:
                self.say(f"change not made ({exc.__class__.__name__}); sandbox busy or stopping")
            done += 1


def wait_for_json(url: str, accept_status: tuple[int, ...] = (200,)) -> dict:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while True:
        try:
            response = requests.get(url, timeout=5)
            if response.status_code in accept_status:
                return response.json()
        except (requests.RequestException, ValueError):
            pass
        if time.monotonic() > deadline:
            raise CommandError(f"{url} did not answer within {STARTUP_TIMEOUT_SECONDS} s")
        time.sleep(0.5)


def configure_connections(paychex: dict, visma: dict) -> None:
    call_command(
        "connect", "visma", name="visma", base_url=visma["url"], token_url=visma["token_url"],
        client_id=visma["client_id"], client_secret=visma["client_secret"], tenant_id=visma["tenant_id"],
    )
    call_command(
        "connect", "paychex", name="paychex", base_url=paychex["url"], token_url=paychex["token_url"],
        client_id=paychex["client_id"], client_secret=paychex["client_secret"], company_id=paychex["company_id"],
        destination="visma",
    )


def subscribe_visma_webhook(visma_url: str, console_url: str) -> None:
    """Do what a person does in Visma's Developer Portal: subscribe our URL and share the signing key."""
    key = secrets.token_urlsafe(32)
    os.environ[DEMO_KEY_VARIABLE] = key
    call_command("visma_webhook", connection="visma", public_url=console_url, key_from_env=DEMO_KEY_VARIABLE)
    post(visma_url + "/_sandbox/subscribe", {"url": console_url + reverse("visma-webhook"), "key": key})


def make_change(rng: random.Random, paychex_url: str, visma_url: str) -> str:
    """Make one realistic change in the sandbox and describe it."""
    state = requests.get(paychex_url + "/_sandbox/state", timeout=10).json()
    change: Callable[..., str] = rng.choices(
        [hire, terminate, transfer, rename, edit_in_visma], weights=[3, 2, 3, 2, 1]
    )[0]
    return change(rng, paychex_url, visma_url, state)


def post(url: str, body: dict) -> dict:
    response = requests.post(url, json=body, timeout=10)
    response.raise_for_status()
    return response.json() if response.content else {}


def pick_worker(rng: random.Random, paychex_url: str, state: dict) -> str:
    count = max(1, int(state.get("workers", 1)))
    index = rng.randrange(count)
    return requests.get(paychex_url + "/_sandbox/state", params={"worker_index": index}, timeout=10).json()["worker_id"]


def hire(rng: random.Random, paychex_url: str, visma_url: str, state: dict) -> str:
    given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
    body: dict[str, Any] = {"given_name": given, "family_name": family}
    if state.get("location_ids"):
        body["location_id"] = rng.choice(state["location_ids"])
    worker = post(paychex_url + "/_sandbox/hire", body)
    return f"Paychex: hired {given} {family} ({worker.get('workerId', '?')})"


def terminate(rng: random.Random, paychex_url: str, visma_url: str, state: dict) -> str:
    worker_id = pick_worker(rng, paychex_url, state)
    post(paychex_url + "/_sandbox/terminate", {"worker_id": worker_id})
    return f"Paychex: terminated {worker_id}"


def transfer(rng: random.Random, paychex_url: str, visma_url: str, state: dict) -> str:
    worker_id = pick_worker(rng, paychex_url, state)
    organizations = state.get("organization_ids") or []
    body: dict[str, Any] = {"worker_id": worker_id}
    if organizations:
        body["organization_id"] = rng.choice(organizations)
    post(paychex_url + "/_sandbox/transfer", body)
    return f"Paychex: transferred {worker_id}"


def rename(rng: random.Random, paychex_url: str, visma_url: str, state: dict) -> str:
    worker_id = pick_worker(rng, paychex_url, state)
    family = rng.choice(FAMILY_NAMES)
    post(paychex_url + "/_sandbox/rename", {"worker_id": worker_id, "family_name": family})
    return f"Paychex: renamed {worker_id} to family name {family}"


def edit_in_visma(rng: random.Random, paychex_url: str, visma_url: str, state: dict) -> str:
    employees = requests.get(visma_url + "/_sandbox/state", timeout=10).json().get("employee_cds") or []
    if not employees:
        return "Visma: no employee yet to edit by hand"
    employee_cd = rng.choice(employees)
    post(visma_url + "/_sandbox/edit_employee", {"employee_cd": employee_cd, "lastName": "EDITED BY HAND"})
    return f"Visma: a person edited employee {employee_cd} by hand (drift)"
