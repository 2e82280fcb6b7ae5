"""Benchmarks for the NumPy engine and surfaces (run as scripts, not collected by pytest)."""
