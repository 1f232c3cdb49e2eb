"""Webhook inbox and receivers, worker records, sync runs, the error queue, tasks, polling, backfill."""
