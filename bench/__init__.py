"""Benchmarks and the full chaos run: scripts that print figures (see bench/README.md). Not tests."""
