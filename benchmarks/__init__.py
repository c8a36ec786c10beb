"""The benchmark suite: `python -m benchmarks` writes bench/results.json (docs/performance.md)."""
