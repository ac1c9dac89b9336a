"""Benchmarks. `make bench` (python -m bench [name ...]) runs every bench/bench_*.py module's
`run()` and writes the figures to bench/results.md."""
