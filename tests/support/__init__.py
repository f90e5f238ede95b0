"""Helpers shared by several test modules (and by the conformance tests of other issues)."""
