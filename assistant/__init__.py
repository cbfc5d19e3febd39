"""Aisle: a self-hosted, chat-first assistant for online stores."""

__version__ = "0.1.0"
