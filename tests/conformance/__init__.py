"""Conformance oracles (issue 7): corpus generation and the helper scripts the tests run in subprocesses."""
