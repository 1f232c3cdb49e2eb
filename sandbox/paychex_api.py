"""The Paychex Flex HTTP surface: OAuth token, companies, workers, reference data, hooks."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from datetime import date, datetime, timezone
from typing import Any, Iterator
from urllib.parse import urlencode

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox import paychex_render as render
from sandbox.base import json_response, read_json
from sandbox.seed import WorkerRecord

PARTNER_DOMAINS = ["WRKR_TAX", "CLT_ORG", "WRKR_EMPL", "CLT_PYRN", "WRKR_ASGN", "WRKR_DEM", "WRKR_CMP",
                   "NET_PAY_DSTRB", "WRKR_ADD", "CLT_DEM", "CLT_PAY_COMP", "WRKR_SHIFT", "CLT_ACCESS", "CLT_PROD",
                   "USR_CONSENT", "CLT_VEND_PYMT"]
AUTH_FIELDS = {"NO_AUTH": (), "BASIC_AUTH": ("username", "password"), "APIKEY": ("apiKey",), "API_KEY": ("apiKey",),
               "OAUTH2": ("tokenUrl", "clientId", "clientSecret"), "OAUTH2_BASIC": ("tokenUrl", "clientId", "clientSecret")}
WORKER_FILTERS = ("givenname", "familyname", "legallastfour", "employeeid", "from", "to", "locationid")

API_RULES = [
    Rule("/auth/oauth/v2/token", endpoint="px_token", methods=["POST"]),
    Rule("/companies", endpoint="px_companies", methods=["GET"]),
    Rule("/companies/<company_id>", endpoint="px_company", methods=["GET"]),
    Rule("/companies/<company_id>/workers", endpoint="px_company_workers", methods=["GET"]),
    Rule("/companies/<company_id>/organizations", endpoint="px_organizations", methods=["GET"]),
    Rule("/companies/<company_id>/organizations/<item_id>", endpoint="px_organization", methods=["GET"]),
    Rule("/companies/<company_id>/jobtitles", endpoint="px_job_titles", methods=["GET"]),
    Rule("/companies/<company_id>/jobtitles/<item_id>", endpoint="px_job_title", methods=["GET"]),
    Rule("/companies/<company_id>/locations", endpoint="px_locations", methods=["GET"]),
    Rule("/companies/<company_id>/locations/<item_id>", endpoint="px_location", methods=["GET"]),
    Rule("/workers/<worker_id>", endpoint="px_worker", methods=["GET"]),
    Rule("/workers/<worker_id>/status", endpoint="px_worker_status", methods=["GET"]),
    Rule("/workers/<worker_id>/communications", endpoint="px_worker_communications", methods=["GET"]),
    Rule("/management/hooks", endpoint="px_hooks", methods=["GET", "POST"]),
    Rule("/management/hooks/<hook_id>", endpoint="px_hook", methods=["GET", "DELETE"]),
    Rule("/management/domains", endpoint="px_domains", methods=["GET"]),
]


def negotiate(request: Request, default: str, allowed: dict[str, Any] | tuple[str, ...]) -> str | None:
    """The vendor type to serve for this Accept header; None means 406 (API-75)."""
    ranges = [part.split(";")[0].strip().lower() for part in request.headers.get("Accept", "").split(",")]
    ranges = [r for r in ranges if r]
    if not ranges:
        return default
    for media in ranges:
        if media in allowed or media == default:
            return media
        if media in ("application/json", "*/*", "application/*"):
            return default
    return None


class PaychexApi:
    """Mixin with the HTTP handlers; the state lives in PaychexSandbox."""

    api_map = Map(API_RULES, strict_slashes=False)

    # -- pipeline -----------------------------------------------------------------------------------
    def api_call(self, request: Request) -> Response:  # type: ignore[override]
        self.faults.sleep()
        if self.faults.inject_error():
            return json_response(render.API_66, 503)
        adapter = self.api_map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except HTTPException as exc:
            return self.api_error(exc)
        if endpoint != "px_token" and not self._token_valid(request):
            return json_response(render.API_103, 401, headers={"WWW-Authenticate": "Bearer"})
        with self.lock:
            return getattr(self, endpoint)(request, **args)

    def api_error(self, exc: HTTPException) -> Response:
        if isinstance(exc, MethodNotAllowed):
            return json_response(render.API_59, 405)
        return json_response(render.API_7, 404)

    def _token_valid(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        with self.lock:
            expiry = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        return expiry is not None and time.monotonic() < expiry

    def _base(self, request: Request) -> str:
        return request.host_url.rstrip("/")

    def _envelope(self, request: Request, items: list[dict[str, Any]], media: str) -> Response:
        body = {"metadata": {"contentItemCount": len(items)}, "content": items,
                "links": [{"rel": "self", "href": request.base_url}]}
        return self._ok(body, media)

    def _ok(self, body: Any, media: str, headers: dict[str, str] | None = None) -> Response:
        return json_response(body, 200, content_type=media, headers=headers)

    # -- OAuth ---------------------------------------------------------------------------------------
    def px_token(self, request: Request) -> Response:
        form = request.form if request.form else request.args  # NOTES §1: body; older docs: query
        if (form.get("grant_type") != "client_credentials" or form.get("client_id") != self.client_id
                or not secrets.compare_digest(form.get("client_secret", ""), self.client_secret)):
            return json_response(render.API_102, 401)
        token = str(uuid.uuid4())
        lifetime = self.faults.token_lifetime
        self._tokens[token] = time.monotonic() + lifetime
        expires_in: Any = int(lifetime) if self.faults.expires_in_as_number else str(int(lifetime))
        return json_response({"access_token": token, "scope": "oob", "token_type": "Bearer", "expires_in": expires_in})

    # -- companies -----------------------------------------------------------------------------------
    def _company_dict(self, base: str) -> dict[str, Any]:
        c = self.company
        return {"companyId": c.company_id, "displayId": c.display_id, "legalName": c.legal_name, "hasPermission": True,
                "legalId": {"legalIdType": "FEIN", "legalIdValue": c.fein},
                "communications": [{"type": "STREET_ADDRESS", "usageType": "BUSINESS", "streetLineOne": "Drammensveien 130",
                                    "city": "Oslo", "postalCode": "0277", "countryCode": "NO"}],
                "links": [{"rel": "self", "href": f"{base}/companies/{c.company_id}"},
                          {"rel": "workers", "href": f"{base}/companies/{c.company_id}/workers"}]}

    def px_companies(self, request: Request) -> Response:
        media = negotiate(request, render.V.format("companies"), ())
        if media is None:
            return json_response(render.API_75, 406)
        display = request.args.get("displayid")
        items = [] if display and display != self.company.display_id else [self._company_dict(self._base(request))]
        return self._envelope(request, items, media)

    def px_company(self, request: Request, company_id: str) -> Response:
        media = negotiate(request, render.V.format("company"), ())
        if media is None:
            return json_response(render.API_75, 406)
        if company_id != self.company_id:
            return json_response(render.API_7, 404)
        return self._ok({"content": [self._company_dict(self._base(request))]}, media)

    # -- reference data ------------------------------------------------------------------------------
    def _reference(self, request: Request, company_id: str, kind: str, item_id: str | None) -> Response:
        plural, single, table, to_dict = {
            "organizations": ("company.organizations", "company.organization", self._orgs,
                              lambda o, b: render.organization_dict(o, b, self.company_id)),
            "jobtitles": ("company.jobtitles", "company.jobtitle", self._titles,
                          lambda t, b: render.job_title_dict(t, b, self.company_id)),
            "locations": ("company.locations", "company.location", self._locations,
                          lambda loc, b: render.location_dict(loc)),
        }[kind]
        media = negotiate(request, render.V.format(single if item_id else plural), ())
        if media is None:
            return json_response(render.API_75, 406)
        if company_id != self.company_id or (item_id is not None and item_id not in table):
            return json_response(render.API_7, 404)
        base = self._base(request)
        if item_id is not None:
            return self._ok({"content": [to_dict(table[item_id], base)]}, media)
        items = [to_dict(item, base) for item in table.values()]
        if kind == "locations":  # the spec's locations example has neither metadata nor links
            return self._ok({"content": items}, media)
        return self._envelope(request, items, media)

    def px_organizations(self, request: Request, company_id: str) -> Response:
        return self._reference(request, company_id, "organizations", None)

    def px_organization(self, request: Request, company_id: str, item_id: str) -> Response:
        return self._reference(request, company_id, "organizations", item_id)

    def px_job_titles(self, request: Request, company_id: str) -> Response:
        return self._reference(request, company_id, "jobtitles", None)

    def px_job_title(self, request: Request, company_id: str, item_id: str) -> Response:
        return self._reference(request, company_id, "jobtitles", item_id)

    def px_locations(self, request: Request, company_id: str) -> Response:
        return self._reference(request, company_id, "locations", None)

    def px_location(self, request: Request, company_id: str, item_id: str) -> Response:
        return self._reference(request, company_id, "locations", item_id)

    # -- workers -------------------------------------------------------------------------------------
    def px_company_workers(self, request: Request, company_id: str) -> Response:
        media = negotiate(request, render.V.format("workers"), render.WORKERS_TYPES)
        if media is None:
            return json_response(render.API_75, 406)
        if company_id != self.company_id:
            return json_response(render.API_7, 404)
        args = request.args
        filters = {k: args[k] for k in WORKER_FILTERS if args.get(k)}
        paged = "offset" in args or "limit" in args
        if filters and paged:  # "Paging and filtering attributes cannot be applied together."
            return json_response(render.API_40, 400)
        nonpii, comms, roster = render.WORKERS_TYPES[media]
        catalog, base = self.catalog(), self._base(request)
        if filters:
            try:
                records = list(self._filtered(filters))
            except ValueError:
                return json_response(render.API_40, 400)
            if not records:
                return json_response(render.API_43, 404)
            items = [render.worker_dict(r, catalog, base, nonpii, comms, roster) for r in records]
            return self._envelope(request, items, media)
        if not paged:
            items = [render.worker_dict(self.record_at(i), catalog, base, nonpii, comms, roster)
                     for i in range(self._count)]
            return self._envelope(request, items, media)
        return self._worker_page(request, media, catalog, base)

    def _worker_page(self, request: Request, media: str, catalog: render.Catalog, base: str) -> Response:
        try:
            offset = int(request.args.get("offset", 0))
            limit = int(request.args.get("limit", self.faults.page_cap or self._count or 1))
        except ValueError:
            return json_response(render.API_40, 400)
        if offset < 0 or limit < 1:
            return json_response(render.API_40, 400)
        if self.faults.page_cap:
            limit = min(limit, self.faults.page_cap)
        nonpii, comms, roster = render.WORKERS_TYPES[media]
        total = self._count
        items = [render.worker_dict(self.record_at(i), catalog, base, nonpii, comms, roster)
                 for i in range(offset, min(offset + limit, total))]
        page_url = f"{request.base_url}?"
        links = [{"rel": "self", "href": page_url + urlencode({"offset": offset, "limit": limit})}]
        if offset + limit < total:
            links.append({"rel": "next", "href": page_url + urlencode({"offset": offset + limit, "limit": limit})})
        if offset > 0:
            links.append({"rel": "previous", "href": page_url + urlencode({"offset": max(0, offset - limit), "limit": limit})})
        body = {"metadata": {"contentItemCount": len(items),
                             "pagination": {"offset": offset, "limit": limit, "itemCount": total, "total": total}},
                "content": items, "links": links}
        etag = hashlib.sha1(f"{self._version}:{media}:{total}".encode()).hexdigest()[:20]
        return self._ok(body, media, headers={"ETag": f'"{etag}"'})

    def _filtered(self, filters: dict[str, str]) -> Iterator[WorkerRecord]:
        if "employeeid" in filters:
            record = self.find_by_employee_id(filters["employeeid"])
            candidates: Any = [record] if record else []
        else:
            candidates = (self.record_at(i) for i in range(self._count))
        since = _parse_day(filters.get("from"))
        until = _parse_day(filters.get("to"))
        for r in candidates:
            if _matches(r, filters, since, until):
                yield r

    def px_worker(self, request: Request, worker_id: str) -> Response:
        media = negotiate(request, render.V.format("worker"), render.WORKER_TYPES)
        if media is None:
            return json_response(render.API_75, 406)
        record = self.find_worker(worker_id)
        if record is None:
            return json_response(render.API_7, 404)
        nonpii, comms, _ = render.WORKER_TYPES[media]
        item = render.worker_dict(record, self.catalog(), self._base(request), nonpii, comms)
        return self._ok({"content": [item]}, media)

    def px_worker_status(self, request: Request, worker_id: str) -> Response:
        media = negotiate(request, render.V.format("company.workerstatuses"), ())
        if media is None:
            return json_response(render.API_75, 406)
        record = self.find_worker(worker_id)
        if record is None:
            return json_response(render.API_7, 404)
        items = render.status_history(record)
        return self._ok({"metadata": {"contentItemCount": len(items)}, "content": items, "links": []}, media)

    def px_worker_communications(self, request: Request, worker_id: str) -> Response:
        media = negotiate(request, render.V.format("worker.communications"), ())
        if media is None:
            return json_response(render.API_75, 406)
        record = self.find_worker(worker_id)
        if record is None:
            return json_response(render.API_7, 404)
        items = render.communications(record, self._base(request))
        return self._ok({"content": items, "links": [{"rel": "self", "href": request.base_url}]}, media)

    # -- hooks ----------------------------------------------------------------------------------------
    def px_domains(self, request: Request) -> Response:
        return json_response(PARTNER_DOMAINS)

    def px_hooks(self, request: Request) -> Response:
        if request.method == "GET":
            return json_response([_public_hook(h) for h in self.hooks.values()])
        try:
            body = read_json(request)
        except ValueError:
            return json_response(render.API_22, 400)
        hook = self._valid_hook(body)
        if hook is None:
            return json_response(render.API_22, 400)
        self.hooks[hook["hookId"]] = hook
        return json_response(_public_hook(hook), 201)

    def _valid_hook(self, body: Any) -> dict[str, Any] | None:
        if not isinstance(body, dict):
            return None
        uri, domains, auth = body.get("uri"), body.get("domains"), body.get("authentication")
        if not isinstance(uri, str) or not uri.startswith(("http://", "https://")):
            return None
        if not isinstance(domains, list) or not domains or any(d not in PARTNER_DOMAINS for d in domains):
            return None
        if not isinstance(auth, dict) or auth.get("authType") not in AUTH_FIELDS:
            return None
        if any(not auth.get(field) for field in AUTH_FIELDS[auth["authType"]]):
            return None
        company = body.get("companyId")
        if company is not None and company != self.company_id:
            return None
        created = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return {"hookId": str(uuid.uuid4()), "companyId": company, "uri": uri, "authType": auth["authType"],
                "createdDate": created, "domains": list(domains), "authentication": dict(auth)}

    def px_hook(self, request: Request, hook_id: str) -> Response:
        hook = self.hooks.get(hook_id)
        if hook is None:
            return json_response(render.API_7, 404)
        if request.method == "DELETE":
            del self.hooks[hook_id]
            return Response(status=204)
        return json_response(_public_hook(hook))


def _public_hook(hook: dict[str, Any]) -> dict[str, Any]:
    """The WebhookResponse shape: never echo the receiver's credentials."""
    out = {k: hook[k] for k in ("hookId", "companyId", "uri", "authType", "createdDate", "domains")}
    if out["companyId"] is None:
        del out["companyId"]
    return out


def _parse_day(text: str | None) -> date | None:
    if not text:
        return None
    return date.fromisoformat(text[:10])


def _matches(r: WorkerRecord, f: dict[str, str], since: date | None, until: date | None) -> bool:
    checks = [
        ("givenname" not in f or r.given_name.casefold() == f["givenname"].casefold()),
        ("familyname" not in f or r.family_name.casefold() == f["familyname"].casefold()),
        ("legallastfour" not in f or r.ssn[-4:] == f["legallastfour"]),
        ("employeeid" not in f or r.employee_id == f["employeeid"]),
        ("locationid" not in f or r.location_id == f["locationid"]),
        (since is None or r.hire_date >= since),
        (until is None or r.hire_date <= until),
    ]
    return all(checks)
