"""Benchmarks for Kit Share (run as ``python -m bench.<name>``)."""
