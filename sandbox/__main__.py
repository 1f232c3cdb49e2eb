"""`python -m sandbox`: run both simulators until Ctrl-C and print where and how to reach them."""

from __future__ import annotations

import argparse
import signal
import threading

from sandbox.paychex import PaychexSandbox
from sandbox.visma import VismaSandbox


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--paychex-port", type=int, default=8101)
    parser.add_argument("--visma-port", type=int, default=8102)
    parser.add_argument("--workers", type=int, default=300, help="seeded Paychex workers")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every API call of both")
    parser.add_argument("--webhook-retry-seconds", type=float, default=300.0)
    parser.add_argument("--visma-employees", action="store_true", help="pre-populate Visma from the Paychex seed")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    px = PaychexSandbox(workers=args.workers, seed=args.seed, webhook_retry_seconds=args.webhook_retry_seconds)
    vs = VismaSandbox(seed=args.seed, employees_from=px if args.visma_employees else None)
    for sandbox in (px, vs):
        sandbox.faults.latency = args.latency_ms / 1000
    px.start(args.paychex_port)
    vs.start(args.visma_port)
    print(f"Paychex  {px.url}  token {px.token_url}")
    print(f"         client_id={px.client_id} client_secret={px.client_secret} company_id={px.company_id}")
    print(f"Visma    {vs.url}/v1  token {vs.token_url}")
    print(f"         client_id={vs.client_id} client_secret={vs.client_secret} tenant_id={vs.tenant_id}")
    print("         scope='vismanet_erp_service_api:read vismanet_erp_service_api:create "
          "vismanet_erp_service_api:update vismanet_erp_service_api:delete'")
    print("Control API under /_sandbox/ on each. Ctrl-C stops.", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        px.stop()
        vs.stop()


if __name__ == "__main__":
    main()
