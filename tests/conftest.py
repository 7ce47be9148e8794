"""Shared pytest configuration. The local lab fixtures live in tests/lab_fixtures.py."""

pytest_plugins = ["lab_fixtures"]
