"""The benchmark suite: `python -m benchmarks` writes bench/results.json (see docs/performance.md)."""
