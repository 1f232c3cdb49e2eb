"""`python manage.py reconcile [--json] [--no-refresh]`: the headcount reconciliation report.

Per Paychex company and cost center: active workers in Paychex against active employees in Visma, and
every worker that differs with the reason. Reads both APIs first unless --no-refresh. Exit status 1 on
any mismatch (or a company that could not be read): a mismatch is never reported as success.
"""
from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from syncjobs import headcount


class Command(BaseCommand):
    help = "Headcount reconciliation: Paychex active vs Visma active per company and cost center; exit 1 on mismatch."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        parser.add_argument("--no-refresh", action="store_true", help="use the stored state instead of reading both APIs")
        parser.add_argument("--store", action="store_true", help="also keep the report for the admin page")

    def handle(self, *args: Any, json: bool, no_refresh: bool, store: bool, **options: Any) -> None:  # noqa: A002
        report = headcount.build(refresh=not no_refresh)
        if store:
            headcount.store(report, requested_by="reconcile command")
        self.stdout.write(_as_json(report) if json else table(report))
        if not report["ok"]:
            raise CommandError(f"Headcount mismatch: {report['mismatches']} difference(s).")


def _as_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)


def table(report: dict) -> str:
    lines = [f"Headcount reconciliation {report['generated_at']} ({'read from the APIs' if report['refreshed'] else 'stored state'})"]
    for company in report["companies"]:
        lines.append("")
        lines.append(f"{company['paychex_connection']} ({company['company_id']}) → {company['visma_connection'] or '?'}: "
                     f"Paychex {company['paychex_active']}, Visma {company['visma_active']}, "
                     f"difference {company['difference']:+d} — {'OK' if company['ok'] else 'MISMATCH'}")
        if company["error"]:
            lines.append(f"  ERROR: {company['error']}")
        lines.append(f"  {'cost center':<24} {'Paychex':>8} {'Visma':>8} {'diff':>6}")
        for row in company["cost_centers"]:
            lines.append(f"  {row['cost_center'][:24]:<24} {row['paychex_active']:>8} {row['visma_active']:>8} "
                         f"{row['difference']:>+6d}")
        for worker in company["workers"]:
            lines.append(f"  ! {worker['employee_cd']:<10} {worker['name'][:28]:<28} Paychex {worker['paychex_status'] or '-':<10} "
                         f"Visma {worker['visma_status']:<9} {worker['reason']}")
    lines.append("")
    lines.append("OK: Paychex and Visma agree." if report["ok"] else f"MISMATCH: {report['mismatches']} difference(s).")
    return "\n".join(lines)
