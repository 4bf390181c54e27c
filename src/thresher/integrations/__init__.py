"""Adapters that plug Thresher into other frameworks (each imports its framework on its own)."""
