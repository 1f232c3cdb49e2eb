"""Browser tests: headless Debian Chromium (/usr/bin/chromium) driven by Playwright, against pytest-django's
live server with in-process sandboxes. Skipped, with the reason, when Chromium or Playwright is missing.

Never `playwright install` (browser downloads are blocked in CI): `make test` installs Debian's chromium
when it is missing and it runs as root. Screenshots go to test-artifacts/screenshots/ (git-ignored).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User

from connector import http
from connector.models import Connection
from mappings.models import CatalogValue, JobTitleMapping, LocationMapping, OrganizationMapping, TargetSettings
from tests.sandboxes import paychex_connection, visma_connection
from sandbox import PaychexSandbox, VismaSandbox, names
from syncjobs.roles import sync_roles

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "browser-test-pw-1"
UNMAPPED_ORG_NUMBER = "5100"  # "Innkjøp": no department in the sandbox's Visma


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    reason = ""
    if not CHROMIUM.exists():
        reason = "chromium not installed (/usr/bin/chromium): `apt-get install chromium` or run `make test` as root"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            reason = "playwright not installed: pip install -e '.[dev]'"
    if reason:
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser_context() -> Iterator[Any]:
    """One headless Chromium for the session with a fresh profile directory; pages are per test."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="mlc-chromium-")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls in the tests are plain sync code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 900})
            context.set_default_timeout(15_000)
            # One request per connection: a keep-alive socket would keep a live-server thread (and its shared
            # SQLite connection) alive past the test that opened it.
            context.set_extra_http_headers({"Connection": "close"})
            yield context
            context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def request_scoped_connections() -> Iterator[None]:
    """The live server's request threads close their database connection after each request (with
    CONN_MAX_AGE > 0, as on PostgreSQL, they would keep sessions open and block dropping the test database)."""
    from django.db import connections

    settings_dict = connections.settings["default"]
    previous = settings_dict.get("CONN_MAX_AGE", 0)
    settings_dict["CONN_MAX_AGE"] = 0
    yield
    settings_dict["CONN_MAX_AGE"] = previous


@pytest.fixture
def page(browser_context: Any) -> Iterator[Any]:
    browser_context.clear_cookies()
    page = browser_context.new_page()
    yield page
    page.close()


@pytest.fixture
def screenshot(page: Any) -> Callable[[str], None]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def login(page: Any, live_server: Any, transactional_db: Any) -> Callable[[str], Any]:
    """login(role) creates a user in that role's group (or a superuser) and signs in through the login form."""
    sync_roles()

    def sign_in(role: str) -> Any:
        username = role.lower().replace(" ", "_")
        if role == "superuser":
            User.objects.create_superuser(username, f"{username}@example.com", PASSWORD)
        else:
            user = User.objects.create_user(username, f"{username}@example.com", PASSWORD, is_staff=True)
            user.groups.add(Group.objects.get(name=role))
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/admin/login/?next=/admin/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_selector("#content h1")
        return page

    return sign_in


@pytest.fixture
def sandboxes() -> Iterator[tuple[PaychexSandbox, VismaSandbox]]:
    http.reset_process_state()
    with PaychexSandbox(workers=8, seed=11) as px, VismaSandbox(seed=11) as vs:
        yield px, vs
    http.reset_process_state()


@pytest.fixture
def company(transactional_db: Any, sandboxes: tuple[PaychexSandbox, VismaSandbox]) -> dict[str, Any]:
    """Connections to the sandboxes, the department catalog, every mapping except one organization's."""
    px, vs = sandboxes
    visma = visma_connection(vs, "Visma sandbox")
    paychex = paychex_connection(px, visma, "Paychex sandbox", registered_hook_ids=["hook-1"])
    TargetSettings.objects.create(visma_connection=visma)
    for value in filter(None, names.VISMA_DEPARTMENTS.values()):
        CatalogValue.objects.create(visma_connection=visma, kind="department", value_id=value[0], description=value[1])
    unmapped = None
    for org in px.organizations():
        department = names.VISMA_DEPARTMENTS.get(org.get("number"))
        if org.get("number") == UNMAPPED_ORG_NUMBER:
            unmapped = org
        OrganizationMapping.objects.create(paychex_connection=paychex, source_id=org["organizationId"],
                                           source_name=org.get("name", ""),
                                           target="" if org is unmapped else (department or ("LEDELSE",))[0])
    for title in px.job_titles():
        JobTitleMapping.objects.create(paychex_connection=paychex, source_id=title["jobTitleId"], target="SKL")
    for location in px.locations():
        LocationMapping.objects.create(paychex_connection=paychex, source_id=location["locationId"], target="1")
    return {"paychex": paychex, "visma": visma, "px": px, "vs": vs, "unmapped_org": unmapped}
