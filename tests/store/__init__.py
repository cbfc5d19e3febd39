"""Tests of the demo store: seeding."""
