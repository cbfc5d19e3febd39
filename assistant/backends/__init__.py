"""Backends the actions call: orders now; recommendations and analytics later."""
