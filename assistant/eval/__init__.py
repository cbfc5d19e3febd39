"""Measurement suites behind `assistant eval`: each compares our figures with a baseline."""
