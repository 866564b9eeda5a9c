"""Offline stand-ins for AWS used by `make demo`, the contract tests and the benchmarks."""
