"""The release: setuptools reads it into the package metadata, and the provider carries it."""

__version__ = "0.6.0"
