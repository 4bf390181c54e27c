"""Helpers for testing Thresher itself and code built on it (generated adversarial inputs)."""
