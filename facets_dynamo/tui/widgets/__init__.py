"""Widgets of the spec editor."""
