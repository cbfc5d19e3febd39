"""Aisle: a self-hosted, chat-first assistant for online stores."""

import os

__version__ = "0.1.0"

# PyTorch's OpenMP threads otherwise spin between parallel regions: on cores the server
# shares with its own other requests (or anything else), one message's embedding then takes
# ~500 ms instead of ~20 ms. Sleeping threads cost nothing measurable when the cores are free.
# Read when torch first loads, so set here; an operator's own value wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
