"""Start the product as in production, against the sandbox, for the benchmarks and the chaos run.

A `Stack` owns: a fresh database (PostgreSQL `bench_ml*` on 127.0.0.1:5432, or a temporary SQLite file),
production settings in the environment (DEBUG=False, generated strong keys), the sandboxes (in this
process, so a benchmark can watch their state directly), gunicorn web servers and `qcluster` worker
clusters (subprocesses, each in its own process group so it can be SIGKILLed as a whole), and this
process's own Django set-up on the same database (to configure connections and to verify results).

Only processes this module started are ever stopped, by their own pid / process group.
"""
from __future__ import annotations

import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine() -> str:
    """One line naming the machine and its load, for the figures."""
    load = os.getloadavg()
    return (f"{os.cpu_count()} cores, load {load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f} (1/5/15 min), "
            f"Python {sys.version.split()[0]}, {date.today().isoformat()}")


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def describe_ms(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (f"p50 {percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms, p99 {percentile(ms, 99):.0f} ms, "
            f"max {max(ms) if ms else float('nan'):.0f} ms, mean {statistics.fmean(ms) if ms else float('nan'):.0f} ms")


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group this Proc started (gunicorn/qcluster fork children)."""
        if self.alive:
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                pass
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


@dataclass
class Stack:
    db: str = "postgres"                      # "postgres" | "sqlite"
    name: str = "bench_ml"
    redis_db: int | None = None               # Redis broker database number; None: the database broker
    extra_env: dict[str, str] = field(default_factory=dict)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ml-bench-")))
    procs: list[Proc] = field(default_factory=list)

    # --- environment and database ---------------------------------------------------------------------
    def __post_init__(self) -> None:
        self.database_url = (f"postgres://postgres@127.0.0.1:5432/{self.name}" if self.db == "postgres"
                             else f"sqlite:///{self.workdir / 'bench.sqlite3'}")
        self.env = {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "False",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "SALT_KEY": secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_SSL_REDIRECT": "False",   # plain HTTP on loopback; production terminates TLS in front
            "SESSION_COOKIE_SECURE": "False",
            "CSRF_COOKIE_SECURE": "False",
            "DATABASE_URL": self.database_url,
            "QUEUE_BROKER_URL": f"{REDIS_URL}/{self.redis_db}" if self.redis_db is not None else "",
            "LOG_LEVEL": "INFO",
            "SITE_URL": "http://127.0.0.1:8000",
            **self.extra_env,
        }

    def prepare(self) -> None:
        """Fresh database, environment of this process, Django set up, migrations applied."""
        if self.db == "postgres":
            self._pg(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._pg(f'CREATE DATABASE "{self.name}"')
        if self.redis_db is not None:
            import redis

            redis.Redis.from_url(f"{REDIS_URL}/{self.redis_db}").flushdb()
        for key in [k for k in os.environ if k in ("DATABASE_URL", "QUEUE_BROKER_URL")]:
            del os.environ[key]
        os.environ.update(self.env)
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)

    def drop(self) -> None:
        from django.db import connections

        connections.close_all()
        if self.db == "postgres":
            self._pg(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _pg(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(sql)

    # --- sandboxes and configuration ------------------------------------------------------------------
    def sandboxes(self, *, workers: int, latency_ms: float = 50.0, visma_employees: bool = False, seed: int = 1,
                  webhook_retry_seconds: float = 10.0):
        from sandbox import PaychexSandbox, VismaSandbox

        px = PaychexSandbox(workers=workers, seed=seed, webhook_retry_seconds=webhook_retry_seconds)
        vs = VismaSandbox(seed=seed, employees_from=px if visma_employees else None)
        for sandbox in (px, vs):
            sandbox.faults.latency = latency_ms / 1000
            sandbox.start()
        self.px, self.vs = px, vs
        return px, vs

    def configure(self, *, public_url: str | None = None) -> None:
        """Connections to the sandboxes, the Visma catalog and Paychex lists mapped, webhooks registered."""
        from django.core.management import call_command

        from connector.models import Connection
        from mappings.refresh import refresh_catalog_and_match, refresh_reference_and_align

        px, vs = self.px, self.vs
        os.environ["BENCH_VISMA_SECRET"], os.environ["BENCH_PAYCHEX_SECRET"] = vs.client_secret, px.client_secret
        call_command("connect", "visma", name="visma", base_url=vs.url, token_url=vs.token_url,
                     client_id=vs.client_id, client_secret_env="BENCH_VISMA_SECRET", tenant_id=vs.tenant_id,
                     stdout=open(os.devnull, "w"))
        call_command("connect", "paychex", name="paychex", base_url=px.url, token_url=px.token_url,
                     client_id=px.client_id, client_secret_env="BENCH_PAYCHEX_SECRET", company_id=px.company_id,
                     destination="visma", stdout=open(os.devnull, "w"))
        refresh_catalog_and_match(Connection.objects.get(name="visma"), full=True)
        refresh_reference_and_align(Connection.objects.get(name="paychex"), username="bench")
        if public_url:
            call_command("register_webhooks", public_url=public_url, stdout=open(os.devnull, "w"))

    def paychex(self):
        from connector.models import Connection

        return Connection.objects.get(name="paychex")

    # --- processes --------------------------------------------------------------------------------------
    def _spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Proc:
        log = self.workdir / f"{name}.log"
        popen = subprocess.Popen(argv, cwd=BASE_DIR, env={**os.environ, **self.env, **(env or {})},
                                 stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def web(self, port: int, workers: int = 4, threads: int = 1, name: str = "web") -> Proc:
        """gunicorn as in production; returns once /healthz answers."""
        argv = [PYTHON, "-m", "gunicorn", "config.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}",
                "--access-logfile", "-", "--log-level", "warning", "--timeout", "60"]
        if threads > 1:
            argv += ["-k", "gthread", "--threads", str(threads)]
        proc = self._spawn(name, argv)
        wait_http(f"http://127.0.0.1:{port}/healthz", ok=(200, 503))
        return proc

    def cluster(self, name: str = "cluster", workers: int | None = None) -> Proc:
        env = {"Q_WORKERS": str(workers)} if workers else {}
        return self._spawn(name, [PYTHON, "manage.py", "qcluster"], env)

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()
        for sandbox in (getattr(self, "px", None), getattr(self, "vs", None)):
            if sandbox is not None:
                sandbox.stop()

    def logs(self) -> list[Path]:
        return sorted({proc.log for proc in self.procs})


def wait_http(url: str, ok: tuple[int, ...] = (200,), timeout: float = 60.0) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code in ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up within {timeout:.0f} s")


class CpuMeter:
    """CPU seconds and peak RSS of a set of processes (and their children) between start() and stop()."""

    def __init__(self, pids_of: Any, interval: float = 0.5) -> None:
        self.pids_of, self.interval = pids_of, interval
        self.peak_rss = 0
        self._cpu: dict[int, float] = {}
        self._start: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _processes(self):
        import psutil

        found = []
        for pid in self.pids_of():
            try:
                parent = psutil.Process(pid)
                found += [parent, *parent.children(recursive=True)]
            except psutil.Error:
                continue
        return found

    def _sample(self) -> None:
        import psutil

        rss = 0
        for proc in self._processes():
            try:
                times = proc.cpu_times()
                self._cpu[proc.pid] = times.user + times.system
                self._start.setdefault(proc.pid, self._cpu[proc.pid])
                rss += proc.memory_info().rss
            except psutil.Error:
                continue
        self.peak_rss = max(self.peak_rss, rss)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def start(self) -> "CpuMeter":
        self._sample()
        self._thread.start()
        return self

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self._sample()
        return sum(self._cpu[pid] - self._start[pid] for pid in self._cpu)


def postgres_pids() -> list[int]:
    """The PostgreSQL server processes (the postmaster's children serve our connections)."""
    import psutil

    return [p.pid for p in psutil.process_iter(["name"]) if (p.info["name"] or "").startswith(("postgres", "postmaster"))]
