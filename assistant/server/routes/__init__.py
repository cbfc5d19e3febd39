"""Thin routes: translate between the wire and the services, nothing more."""
