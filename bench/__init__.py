"""Benchmarks: ``make bench`` and ``make bench-pages`` (see bench/README.md)."""
