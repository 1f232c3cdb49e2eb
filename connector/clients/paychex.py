"""Paychex Flex API client (facts: shared/specs/paychex/NOTES.md; S1 = the official OpenAPI document).

Reads workers and reference data and manages webhook registrations. Responses come in the
`{"metadata", "content": [...], "links"}` envelope, also for single items; management endpoints answer
bare JSON. Only classification lives here; the HTTP mechanics are in connector.http.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from connector.clock import Clock
from connector.errors import ApiError, NotFound
from connector.http import ApiSession, VendorRules, setting

if TYPE_CHECKING:
    from connector.models import Connection

# Vendor media types (NOTES §3). The non-PII communications profiles carry the EMAIL communication but
# leave out SSN, birth date and the other PII fields.
WORKERS_MEDIA_TYPE = "application/vnd.paychex.workers.nonpii_communications.v1+json"
WORKER_MEDIA_TYPE = "application/vnd.paychex.worker.nonpii_communications.v1+json"
COMPANIES_MEDIA_TYPE = "application/vnd.paychex.companies.v1+json"
COMPANY_MEDIA_TYPE = "application/vnd.paychex.company.v1+json"
WORKER_STATUSES_MEDIA_TYPE = "application/vnd.paychex.company.workerstatuses.v1+json"


class PaychexRules(VendorRules):
    # S6: "a unique ID, per request, that you SHOULD generate … required for technical support".
    correlation_header = "X-payx-client-correlationId"

    def describe(self, body: Any) -> tuple[str, str]:
        """S1 ErrorResource: {"errors": [{"code": "API-7", "description": …, "resolution": …}]}."""
        errors = body.get("errors") if isinstance(body, dict) else None
        if not errors or not isinstance(errors[0], dict):
            return "", ""
        first = errors[0]
        text = " ".join(str(first.get(k, "")).strip() for k in ("description", "resolution")).strip()
        return str(first.get("code", "")), text

    def is_transient(self, status: int, code: str) -> bool | None:
        # S1: 423 API-10 "client locked … Please try again later." Any other 423 we do not know: retry too,
        # a lock is by nature temporary. 503 API-66 "temporarily unavailable" is 5xx, transient by default.
        if status == 423:
            return True
        return None


@dataclass(frozen=True)
class WorkerPage:
    workers: list[dict]
    total: int | None
    offset: int | None


class PaychexClient:
    """Calls to one Paychex connection (`connection.company_id` is the default company)."""

    def __init__(self, connection: Connection, *, clock: Clock | None = None) -> None:
        self.connection = connection
        self.http = ApiSession(connection, PaychexRules(), clock=clock)

    # --- companies and reference data -----------------------------------------------------------
    def companies(self) -> list[dict]:
        """Companies this app may read (GET /companies)."""
        return self._content("/companies", COMPANIES_MEDIA_TYPE)

    def company(self, company_id: str | None = None) -> dict:
        """One company (GET /companies/{companyId}); raises NotFound."""
        items = self._content(f"/companies/{self._company(company_id)}", COMPANY_MEDIA_TYPE)
        if not items:
            raise NotFound("Paychex returned no such company", permanent=True, status=200, code="not_found")
        return items[0]

    def organizations(self, company_id: str | None = None) -> list[dict]:
        return list(self._iter_collection(f"/companies/{self._company(company_id)}/organizations"))

    def job_titles(self, company_id: str | None = None) -> list[dict]:
        return list(self._iter_collection(f"/companies/{self._company(company_id)}/jobtitles"))

    def locations(self, company_id: str | None = None) -> list[dict]:
        return list(self._iter_collection(f"/companies/{self._company(company_id)}/locations"))

    # --- workers --------------------------------------------------------------------------------
    def iter_worker_pages(self, company_id: str | None = None, page_size: int | None = None, *,
                          offset: int = 0) -> Iterator[WorkerPage]:
        """Every page of the company's workers (offset/limit) from `offset` on (a resumed backfill starts
        mid-list), following `next` links until there is none.

        Raises ApiError(code="paging") when a `next` link repeats a page already read: a server that
        never advances would otherwise loop forever.
        """
        limit = page_size or setting("PAYCHEX_PAGE_SIZE")
        path = f"/companies/{self._company(company_id)}/workers"
        yield from self._pages(path, {"offset": max(0, offset), "limit": limit}, WORKERS_MEDIA_TYPE)

    def iter_workers(self, company_id: str | None = None, page_size: int | None = None) -> Iterator[dict]:
        """Every worker of the company, one page in memory at a time."""
        for page in self.iter_worker_pages(company_id, page_size):
            yield from page.workers

    def worker(self, worker_id: str) -> dict:
        """The current state of one worker (non-PII, with communications). Raises NotFound."""
        items = self._content(f"/workers/{quote(worker_id, safe='')}", WORKER_MEDIA_TYPE)
        if not items:
            raise NotFound(f"Paychex has no worker {worker_id}", permanent=True, status=200, code="not_found")
        return items[0]

    def worker_statuses(self, worker_id: str) -> list[dict]:
        """Past, present and future statuses of one worker (GET /workers/{id}/status)."""
        return self._content(f"/workers/{quote(worker_id, safe='')}/status", WORKER_STATUSES_MEDIA_TYPE)

    # --- webhooks (management endpoints answer bare JSON, not the envelope) ----------------------
    def domains(self) -> list[str]:
        body = self.http.request("GET", "/management/domains").json()
        # S1's example nests the list in another list; accept both shapes.
        return [d for item in body for d in (item if isinstance(item, list) else [item])]

    def hooks(self) -> list[dict]:
        return self.http.request("GET", "/management/hooks").json()

    def register_hook(self, uri: str, domains: list[str], *, username: str, password: str,
                      company_id: str | None = None) -> dict:
        """Register a hook that calls `uri` with HTTP Basic credentials; returns the created hook (201)."""
        body: dict[str, Any] = {
            "uri": uri,
            "domains": list(domains),
            "authentication": {"authType": "BASIC_AUTH", "username": username, "password": password},
        }
        if company_id:
            body["companyId"] = company_id
        return self.http.request("POST", "/management/hooks", json_body=body,
                                 headers={"Content-Type": "application/json"}).json()

    def delete_hook(self, hook_id: str) -> None:
        self.http.request("DELETE", f"/management/hooks/{quote(hook_id, safe='')}")

    # --- helpers --------------------------------------------------------------------------------
    def _company(self, company_id: str | None) -> str:
        value = company_id or self.connection.company_id
        if not value:
            raise ApiError(f"Paychex connection {self.connection.name!r} has no company id", permanent=True,
                           code="configuration")
        return quote(value, safe="")

    def _content(self, path: str, media_type: str = "application/json",
                 params: dict[str, Any] | None = None) -> list[dict]:
        body = self.http.request("GET", path, params=params, headers={"Accept": media_type}).json()
        return list(body.get("content") or []) if isinstance(body, dict) else []

    def _iter_collection(self, path: str) -> Iterator[dict]:
        for page in self._pages(path, None, "application/json"):
            yield from page.workers

    def _pages(self, path: str, params: dict[str, Any] | None, media_type: str) -> Iterator[WorkerPage]:
        seen: set[str] = set()
        url: str | None = path
        headers = {"Accept": media_type}
        while url:
            response = self.http.request("GET", url, params=params, headers=headers)
            body = response.json() if response.content else {}
            page = _page(body)
            yield page
            params = None  # the next link carries offset and limit itself
            seen.add(response.url)
            url = _link(body, "next")
            # Third-party clients echo the paging ETag (a snapshot id) on later pages (NOTES §3, T1/T5).
            if response.headers.get("ETag"):
                headers = {"Accept": media_type, "ETag": response.headers["ETag"]}
            if url and (not page.workers or self.http.url_for(url) in seen):
                raise ApiError(f"Paychex paging did not advance at {path} (next link repeats a page)",
                               permanent=True, code="paging", request_excerpt=f"GET {path}")


def _page(body: Any) -> WorkerPage:
    content = list(body.get("content") or []) if isinstance(body, dict) else []
    pagination = ((body.get("metadata") or {}).get("pagination") or {}) if isinstance(body, dict) else {}
    total = pagination.get("total", pagination.get("itemCount"))
    return WorkerPage(workers=content, total=int(total) if total is not None else None, offset=pagination.get("offset"))


def _link(body: Any, rel: str) -> str | None:
    links = body.get("links") if isinstance(body, dict) else None
    for link in links or []:
        if isinstance(link, dict) and link.get("rel") == rel and link.get("href"):
            return str(link["href"])
    return None
