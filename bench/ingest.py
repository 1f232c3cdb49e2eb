"""Webhook ingest: notifications per second acknowledged, ack latency, none lost.

    python bench/ingest.py --db postgres --rate 300 --duration 60      # the goal: 300/s for 60 s, p99 < 100 ms
    python bench/ingest.py --db sqlite --rate 300 --duration 60
    python bench/ingest.py --db postgres --max-seconds 15 --concurrency 32   # also find the maximum (closed loop)

gunicorn (sync workers) serves `/webhooks/paychex/` on a fresh database with production settings; an
open-loop generator in this process sends authenticated Paychex notifications at a fixed rate, and
latency is counted from each request's *scheduled* send time (a server that falls behind is not
flattered by the generator waiting for it). The worker cluster is not running: this measures the ack
path (authenticate, validate, store, enqueue, 202); processing is measured by end_to_end.py. At the end
every acknowledged notificationId must be in the inbox (lost = acknowledged but not stored).

Physical limit: the machine's CPU. The CPU seconds that gunicorn and PostgreSQL spent per notification
give the rate two fully used cores could ack; the achieved rate is reported as a ratio of it.
"""
from __future__ import annotations

import argparse
import base64
import http.client
import json
import random
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import CpuMeter, Stack, describe_ms, free_port, machine, percentile, postgres_pids  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--rate", type=float, default=300.0, help="notifications per second offered (open loop)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of sustained load")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--senders", type=int, default=64, help="client threads of the open-loop generator")
    parser.add_argument("--max-seconds", type=float, default=0.0, help="then a closed-loop run this long (0: skip)")
    parser.add_argument("--concurrency", type=int, default=16, help="clients of the closed-loop run")
    return parser.parse_args(argv)


class Sender:
    """Posts notifications over plain http.client (cheap enough to generate 300+/s from one process)."""

    def __init__(self, port: int, auth: str, worker_ids: list[str]) -> None:
        self.port, self.auth, self.worker_ids = port, auth, worker_ids
        self.lock = threading.Lock()
        self.acked: list[str] = []
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}

    def post(self, conn: http.client.HTTPConnection, rng: random.Random, scheduled: float) -> None:
        notification_id = str(uuid.uuid4())
        body = json.dumps({"companyId": "", "workerId": rng.choice(self.worker_ids), "domains": ["WRKR_DEM"],
                           "action": "UPDATE", "notificationType": "WORKER_MESSAGE", "notificationId": notification_id,
                           "asOfDate": "2024-06-07T10:10:24.000+00:00"})
        try:
            conn.request("POST", "/webhooks/paychex/", body=body,
                         headers={"Content-Type": "application/json", "Authorization": self.auth})
            response = conn.getresponse()
            response.read()
            status = str(response.status)
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            status = type(exc).__name__
        done = time.monotonic()
        with self.lock:
            if status in ("202", "200"):
                self.acked.append(notification_id)
                self.latencies.append(done - scheduled)
            else:
                self.errors[status] = self.errors.get(status, 0) + 1

    def open_loop(self, rate: float, duration: float, senders: int) -> float:
        total = int(rate * duration)
        start = time.monotonic() + 0.5
        counter = iter(range(total))
        counter_lock = threading.Lock()

        def run(seed: int) -> None:
            rng, conn = random.Random(seed), http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            while True:
                with counter_lock:
                    index = next(counter, None)
                if index is None:
                    return
                scheduled = start + index / rate
                delay = scheduled - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                self.post(conn, rng, scheduled)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(senders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - start

    def closed_loop(self, seconds: float, clients: int) -> float:
        stop = time.monotonic() + seconds

        def run(seed: int) -> None:
            rng, conn = random.Random(seed), http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            while time.monotonic() < stop:
                self.post(conn, rng, time.monotonic())

        started = time.monotonic()
        threads = [threading.Thread(target=run, args=(1000 + i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - started


def lost(acked: list[str]) -> int:
    from syncjobs.models import Notification

    stored = 0
    for i in range(0, len(acked), 5000):
        stored += Notification.objects.filter(notification_id__in=acked[i:i + 5000]).count()
    return len(acked) - stored


def report(title: str, sender: Sender, elapsed: float, cpu_web: float, cpu_db: float, offered: float | None) -> None:
    acked = len(sender.acked)
    rate = acked / elapsed
    per_request = (cpu_web + cpu_db) / acked if acked else float("nan")
    limit = 2 / per_request if acked else float("nan")
    print(f"\n{title}")
    if offered:
        print(f"  offered {offered:.0f}/s for {elapsed:.1f} s")
    print(f"  acknowledged {acked} ({rate:.0f}/s); errors {sender.errors or 'none'}; lost {lost(sender.acked)}")
    print(f"  ack latency {describe_ms(sender.latencies)}")
    print(f"  CPU per notification: gunicorn {cpu_web / max(acked, 1) * 1000:.2f} ms + database "
          f"{cpu_db / max(acked, 1) * 1000:.2f} ms → limit on 2 cores ≈ {limit:.0f}/s; ratio {rate / limit:.2f}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    stack = Stack(db=args.db, name="bench_ml_ingest")
    print(f"ingest benchmark on {args.db}; machine: {machine()}")
    stack.prepare()
    try:
        stack.sandboxes(workers=1000, latency_ms=50)
        port = free_port()
        stack.configure(public_url=f"http://127.0.0.1:{port}")
        web = stack.web(port, workers=args.web_workers)
        paychex = stack.paychex()
        auth = "Basic " + base64.b64encode(f"{paychex.webhook_username}:{paychex.webhook_password}".encode()).decode()
        worker_ids = [stack.px.company.worker_id(i) for i in range(1000)]
        sender = Sender(port, auth, worker_ids)
        sender.closed_loop(2, 4)  # warm-up: every gunicorn worker has its credentials cache and connection
        sender.acked.clear(), sender.latencies.clear(), sender.errors.clear()
        web_meter = CpuMeter(lambda: [web.popen.pid]).start()
        db_meter = CpuMeter(postgres_pids).start() if args.db == "postgres" else None
        elapsed = sender.open_loop(args.rate, args.duration, args.senders)
        cpu_web, cpu_db = web_meter.stop(), db_meter.stop() if db_meter else 0.0
        report(f"open loop, {args.web_workers} gunicorn workers", sender, elapsed, cpu_web, cpu_db, args.rate)
        print(f"  p99 goal < 100 ms: {'met' if percentile(sender.latencies, 99) < 0.1 else 'MISSED'}; "
              f"rate goal {args.rate:.0f}/s sustained: "
              f"{'met' if len(sender.acked) / elapsed >= 0.99 * args.rate else 'MISSED'}")
        if args.max_seconds:
            closed = Sender(port, auth, worker_ids)
            web_meter = CpuMeter(lambda: [web.popen.pid]).start()
            db_meter = CpuMeter(postgres_pids).start() if args.db == "postgres" else None
            elapsed = closed.closed_loop(args.max_seconds, args.concurrency)
            cpu_web, cpu_db = web_meter.stop(), db_meter.stop() if db_meter else 0.0
            report(f"closed loop (maximum), {args.concurrency} clients", closed, elapsed, cpu_web, cpu_db, None)
    finally:
        stack.stop_all()
        stack.drop()


if __name__ == "__main__":
    main()
