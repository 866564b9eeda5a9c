"""`make bench`: this construct measured side by side with its anchors; see docs/benchmarks.md."""
