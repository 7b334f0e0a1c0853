"""Benchmarks (not tests); ``bench.settings`` serves the project for ``bench/run.py``."""
