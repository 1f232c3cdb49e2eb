"""The full chaos run, with real processes: SIGKILLs, a web server down for a minute, 5xx, rate limits.

    python bench/chaos.py --db postgres --changes 1000
    python bench/chaos.py --db sqlite --changes 1000
    python bench/chaos.py --db postgres --changes 1000 --scale-out --redis 7   # 2 web + 2 worker clusters, Redis

1,000 scripted Paychex changes (hires, terminations, rehires, transfers, renames) at --rate per second
while: every worker cluster is killed with SIGKILL three times and restarted; the web server(s) are down
for --web-down seconds (the Paychex sandbox keeps retrying every 10 s); 10 % of API calls of both
sandboxes fail with 5xx; Visma's rate limit is low for a stretch of the run; a person edits Visma
employees (a managed field, corrected by the connector; a create-only field, which must be kept).

Then the run waits until everything has settled (the reaper, the back-off schedule and the Visma poll
run as scheduled in the clusters) and checks: every worker correct in Visma (translate(Paychex) = Visma),
zero lost (every notification Paychex delivered stored and done), zero duplicate employees, employee
writes within those needed, every run's status true, and no secret in any log, admin page or audit record.

Settings shortened for a run of minutes (documented in bench/README.md): leases 20-60 s, reaper every
minute, back-off 5-20 s with 15 steps. With --scale-out a round-robin proxy in this process stands for
the load balancer in front of the two web servers.
"""
from __future__ import annotations

import argparse
import http.server
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Stack, free_port, machine  # noqa: E402

SHORT_LEASES = {
    "WORKER_LEASE_SECONDS": "20", "NOTIFICATION_LEASE_SECONDS": "30", "RUN_LEASE_SECONDS": "60",
    "INBOX_GRACE_SECONDS": "15", "REAPER_MINUTES": "1", "VISMA_POLL_MINUTES": "1", "Q_TIMEOUT_SECONDS": "60",
    "Q_LOG_LEVEL": "INFO", "DRIFT_MODE": "correct",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=8.0, help="scripted changes per second")
    parser.add_argument("--workers", type=int, default=300, help="Paychex workers in the sandbox company")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--error-rate", type=float, default=0.10)
    parser.add_argument("--web-down", type=float, default=60.0, help="seconds the web server is down")
    parser.add_argument("--scale-out", action="store_true", help="two web servers and two worker clusters")
    parser.add_argument("--redis", type=int, default=None, metavar="N", help="Redis db N as the broker")
    parser.add_argument("--rate-limit", type=int, default=4, help="Visma calls per second allowed during 10 %% of the run")
    parser.add_argument("--settle-timeout", type=float, default=900.0)
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


class RoundRobin(http.server.ThreadingHTTPServer):
    """The load balancer: forwards each request to the next live backend (the other one if it refuses)."""

    def __init__(self, port: int, backends: list[int]) -> None:
        self.backends, self.turn, self.counts = backends, 0, Counter()
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Forward)


class _Forward(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        import requests

        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            first = self.server.turn
            self.server.turn += 1
        backends = self.server.backends
        for attempt in range(len(backends)):
            port = backends[(first + attempt) % len(backends)]
            try:
                answer = requests.post(f"http://127.0.0.1:{port}{self.path}", data=body, timeout=30,
                                       headers={k: v for k, v in self.headers.items() if k.lower() != "host"})
            except requests.RequestException:
                continue
            with self.server.lock:
                self.server.counts[port] += 1
            self.send_response(answer.status_code)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)
            return
        self.send_response(502)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Script:
    """HR in Paychex and a person in Visma; counts the Visma writes the changes need."""

    def __init__(self, rng: random.Random, px, vs) -> None:
        self.rng, self.px, self.vs = rng, px, vs
        self.worker_ids = [w["workerId"] for w in px.workers()]
        self.organizations = [o["organizationId"] for o in px.organizations()]
        self.needed = Counter()
        self.person_owned: dict[str, dict[str, str]] = {}

    def step(self) -> None:
        kind = self.rng.choices(["hire", "terminate", "rehire", "transfer", "rename", "person"],
                                weights=[2, 2, 1, 3, 3, 1])[0]
        worker_id = self.rng.choice(self.worker_ids)
        if kind == "hire":
            worker = self.px.hire(self.rng.choice(["Åse", "Björn", "Liv", "Jörgen"]), f"Chaos{len(self.worker_ids)}")
            self.worker_ids.append(worker["workerId"])
        elif kind == "terminate":
            self.px.terminate(worker_id)
        elif kind == "rehire":
            self.px.rehire(worker_id)
        elif kind == "transfer":
            self.px.transfer(worker_id, organization_id=self.rng.choice(self.organizations))
        elif kind == "rename":
            self.px.rename(worker_id, family_name=f"Renamed{self.rng.randrange(10**6)}")
        else:
            kind = self.person_edit()
        self.needed[kind] += 1

    def person_edit(self) -> str:
        employee = self.rng.choice(self.vs.employees())
        cd = employee["employeeNumber"]
        if self.rng.random() < 0.5:
            with self.vs.lock:
                self.vs.apply_employee(cd, {"calendar": "NIGHT"})
            self.person_owned.setdefault(cd, {})["calendar"] = "NIGHT"
            return "person (create-only field)"
        self.vs.edit_employee(cd, lastName="EDITED BY HAND")
        return "person (managed field)"


def settled() -> tuple[bool, str]:
    from syncjobs.models import ErrorItem, Notification, SyncRun, Worker

    counts = {
        "inbox": Notification.objects.filter(status__in=["received", "processing"]).count(),
        "retrying": ErrorItem.objects.filter(status="retrying").count(),
        "leased": Worker.objects.exclude(lease_until=None).count(),
        "runs": SyncRun.objects.filter(status__in=["queued", "running"]).count(),
    }
    return not any(counts.values()), ", ".join(f"{k} {v}" for k, v in counts.items())


def wait_settled(px, timeout: float) -> float:
    started = time.monotonic()
    quiet_since = None
    while time.monotonic() - started < timeout:
        done, state = settled()
        done = done and px._dispatcher.pending() == 0
        if done:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 5:
                return time.monotonic() - started
        else:
            quiet_since = None
        time.sleep(1)
    raise SystemExit(f"did not settle within {timeout:.0f} s: {settled()[1]}, webhooks pending {px._dispatcher.pending()}")


def run_statuses_true() -> tuple[int, list[str]]:
    from syncjobs.models import SyncRun

    wrong = []
    runs = SyncRun.objects.all()
    for run in runs:
        items = list(run.items.values_list("outcome", flat=True))
        failed = sum(1 for o in items if o in ("failed", "retrying"))
        wrote = sum(1 for o in items if o in ("created", "updated"))
        if run.status in ("queued", "running"):
            wrong.append(f"{run} still {run.status}")
        elif run.note.startswith("Interrupted"):
            if run.status != "failed":
                wrong.append(f"{run}: interrupted but {run.status}")
        elif failed and run.status not in ("failed", "partial"):
            wrong.append(f"{run}: {failed} failed items but {run.status}")
        elif not failed and wrote and run.status not in ("succeeded",) and run.trigger != "backfill":
            wrong.append(f"{run}: wrote {wrote} without failures but {run.status}")
    return runs.count(), wrong


def secret_hits(stack: Stack, px, vs) -> tuple[int, list[str]]:
    """Grep every log, every admin page and the audit trail for each secret and token value."""
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from audit.models import AuditRecord
    from connector.models import Connection
    from syncjobs.models import ErrorItem

    values = [px.client_secret, vs.client_secret, stack.env["SECRET_KEY"], stack.env["SALT_KEY"]]
    values += [str(c.webhook_password) for c in Connection.objects.all() if c.webhook_password]
    values += list(px._tokens) + list(vs._tokens)
    values = [v for v in values if v and len(v) >= 8]
    texts = [log.read_text(errors="replace") for log in stack.logs()]
    texts += [str(row) for row in AuditRecord.objects.values()] + [str(row) for row in ErrorItem.objects.values()]
    user = get_user_model().objects.create_superuser("chaos-admin", "a@example.com", "pw-chaos-2718281828")
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        pages.append(reverse("admin:%s_%s_changelist" % info))
        pages += [reverse("admin:%s_%s_change" % info, args=[pk])
                  for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:5]]
    for page in pages:
        texts.append(client.get(page).content.decode(errors="replace"))
    hits = [f"{v[:4]}… in {t[:60]!r}" for v in values for t in texts if v in t]
    return len(pages), hits


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.scale_out and args.redis is None:
        raise SystemExit("--scale-out needs --redis N (the shared broker)")
    stack = Stack(db=args.db, name="bench_ml_chaos", redis_db=args.redis, extra_env=SHORT_LEASES)
    shape = "2 web + 2 worker clusters" if args.scale_out else "1 web + 1 worker cluster"
    print(f"chaos run on {args.db}, {'Redis db %d' % args.redis if args.redis is not None else 'database broker'}, "
          f"{shape}; machine: {machine()}", flush=True)
    stack.prepare()
    rng = random.Random(args.seed)
    try:
        px, vs = stack.sandboxes(workers=args.workers, latency_ms=args.latency_ms, visma_employees=True,
                                 seed=args.seed, webhook_retry_seconds=10)
        public = free_port()
        stack.configure(public_url=f"http://127.0.0.1:{public}")
        from django.core.management import call_command

        from syncjobs.models import BackoffStep, Notification

        for attempt in range(1, 16):
            BackoffStep.objects.update_or_create(attempt=attempt, defaults={"delay_seconds": min(20, 5 * attempt)})
        call_command("backfill", no_progress=True, stdout=open("/dev/null", "w"))
        backfill_writes = Counter(r["method"] for r in vs.requests if r["path"].startswith("/v1/employee")
                                  and r["method"] in ("POST", "PUT") and r["status"] < 300)
        vs.clear_requests(), px.clear_requests()

        web_ports = [free_port() for _ in range(2)] if args.scale_out else [public]
        proxy = None
        if args.scale_out:
            proxy = RoundRobin(public, web_ports)
            threading.Thread(target=proxy.serve_forever, daemon=True).start()
        webs = {port: stack.web(port, workers=2, name=f"web{i}") for i, port in enumerate(web_ports)}
        n_clusters = 2 if args.scale_out else 1
        clusters = [stack.cluster(name=f"cluster{i}") for i in range(n_clusters)]
        for sandbox in (px, vs):
            sandbox.faults.error_rate = args.error_rate
        vs.faults.rate_window_seconds = 1.0

        script = Script(rng, px, vs)
        n = args.changes
        kills = {int(n * f) for f in (0.2, 0.45, 0.7)}
        web_down_at, rate_limited = int(n * 0.55), range(int(n * 0.8), int(n * 0.9))
        web_back_at = None
        deaths = 0
        started = time.monotonic()
        limited_window = []
        for number in range(n):
            vs.faults.rate_limit = args.rate_limit if number in rate_limited else 100_000
            if number in (rate_limited.start, rate_limited.stop):
                limited_window.append(time.time())
            if number in kills:
                for i, proc in enumerate(clusters):
                    proc.kill()  # SIGKILL to the whole process group: in-flight syncs die mid-way
                    deaths += 1
                time.sleep(2)
                clusters = [stack.cluster(name=f"cluster{i}") for i in range(n_clusters)]
                print(f"  change {number}: worker cluster(s) SIGKILLed and restarted", flush=True)
            if number == web_down_at:
                for proc in webs.values():
                    proc.kill()
                web_back_at = time.monotonic() + args.web_down
                print(f"  change {number}: web server(s) down for {args.web_down:.0f} s", flush=True)
            if web_back_at and time.monotonic() >= web_back_at:
                webs = {port: stack.web(port, workers=2, name=f"web{i}") for i, port in enumerate(web_ports)}
                web_back_at = None
                print(f"  change {number}: web server(s) back", flush=True)
            script.step()
            time.sleep(max(0.0, started + (number + 1) / args.rate - time.monotonic()))
        if web_back_at:
            time.sleep(max(0.0, web_back_at - time.monotonic()))
            webs = {port: stack.web(port, workers=2, name=f"web{i}") for i, port in enumerate(web_ports)}
        vs.faults.rate_limit = 100_000
        scripted = time.monotonic() - started
        print(f"  {n} changes made in {scripted:.0f} s; settling…", flush=True)
        settle = wait_settled(px, args.settle_timeout)
        time.sleep(65)  # one more Visma poll after the last person's edit
        settle += 65 + wait_settled(px, args.settle_timeout)
        report(args, stack, px, vs, script, deaths, scripted, settle, backfill_writes, proxy, limited_window)
    finally:
        stack.stop_all()
        stack.drop()


def report(args, stack, px, vs, script, deaths, scripted, settle, backfill_writes, proxy, limited_window) -> None:
    from bench.verify import busiest_second, employee_writes, verify
    from syncjobs.models import Notification

    verdict = verify(stack.paychex(), px.workers(), vs.employees(), person_owned=script.person_owned)
    delivered = {d["payload"]["notificationId"] for d in px.deliveries if d.get("status") and 200 <= d["status"] < 300}
    stored = set(Notification.objects.values_list("notification_id", flat=True))
    not_done = Notification.objects.exclude(status__in=["done", "ignored"]).count()
    writes = employee_writes(vs.requests)
    needed = sum(v for k, v in script.needed.items() if k != "person (create-only field)")
    statuses = Counter(r["status"] for r in px.requests + vs.requests)
    runs, wrong_runs = run_statuses_true()
    pages, hits = secret_hits(stack, px, vs)
    print(f"\nRESULT ({machine()})")
    print(f"  changes: {dict(script.needed)}; made in {scripted:.0f} s, settled {settle:.0f} s later")
    print(f"  faults: {statuses.get(500, 0) + statuses.get(503, 0)} injected 5xx, {statuses.get(429, 0)} 429, "
          f"{statuses.get(412, 0)} 412; {deaths} cluster SIGKILLs; web down {args.web_down:.0f} s; "
          f"{sum(1 for d in px.deliveries if not d.get('status') or d['status'] >= 300)} webhook deliveries refused/failed")
    if len(limited_window) == 2:
        start, end = limited_window
        stretch = [r for r in vs.requests if start <= r["time"] <= end]
        print(f"  Visma rate limit {args.rate_limit} calls/s for {end - start:.0f} s: {len(stretch)} calls in it "
              f"({len(stretch) / max(end - start, 1e-9):.1f}/s), busiest second {busiest_second(stretch)}, "
              f"{sum(1 for r in stretch if r['status'] == 429)} answered 429")
    print(f"  Visma: {verdict.summary()}")
    print(f"  lost: {len(delivered - stored)} (of {len(delivered)} notifications acknowledged); "
          f"not processed: {not_done}; duplicates: {len(verdict.duplicates)}")
    print(f"  employee writes: {writes} for {needed} changes needing one (backfill before: {dict(backfill_writes)}); "
          f"beyond needed: {max(0, writes['creates'] + writes['updates'] - needed)}")
    print(f"  runs: {runs}, status untrue: {len(wrong_runs)} {wrong_runs[:3]}")
    print(f"  secrets: {len(hits)} hits in {len(stack.logs())} logs, {pages} admin pages and the audit trail {hits[:3]}")
    if proxy is not None:
        print(f"  web load: {dict(proxy.counts)} webhook posts per web server")
    for log in stack.logs():
        if log.name.startswith("cluster"):
            text = log.read_text(errors="replace")
            print(f"  {log.name}: {text.count('Processed')} tasks processed")
    ok = verdict.ok and not (delivered - stored) and not not_done and not wrong_runs and not hits
    print("  VERDICT: " + ("zero lost, zero duplicates, every worker correct" if ok else "FAILED"))


if __name__ == "__main__":
    main()
