"""Benchmarks and operations tests that act on the site: perf/harness.py and its drivers (docs/performance.md)."""
