"""Tests of the persistence layer: migrations and models."""
