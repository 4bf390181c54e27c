"""The reference scorer's word-level metric, for the training scripts (it lives in
``thresher.testing.wcxb`` so the tests' quality gate uses the very same function)."""

from thresher.testing.wcxb import TOKEN, prf, tokens

__all__ = ["TOKEN", "prf", "tokens"]
