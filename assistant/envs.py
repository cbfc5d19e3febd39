"""Every environment variable the service reads, declared once.

Each entry maps a variable to the dotted `config.yml` key it overrides. Values are parsed by
the same typed settings as the file, so `AISLE_PORT=abc` fails exactly like `port: abc` would.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

# Path of the configuration file; defaults to ./config.yml.
CONFIG_PATH = "AISLE_CONFIG"

OVERRIDES: dict[str, str] = {
    # Where the SQLite file, the vector store and trained models live.
    "AISLE_DATA_DIR": "data_dir",
    # SQLAlchemy URL; e.g. postgresql+psycopg://user@127.0.0.1:5432/aisle
    "AISLE_DATABASE_URL": "database.url",
    # persistent (embedded Chroma) or http (a Chroma server).
    "AISLE_VECTOR_STORE_KIND": "vector_store.kind",
    "AISLE_VECTOR_STORE_HOST": "vector_store.host",
    "AISLE_VECTOR_STORE_PORT": "vector_store.port",
    # none, openai (vLLM or any OpenAI-compatible server) or llamacpp.
    "AISLE_LLM_PROVIDER": "llm.provider",
    "AISLE_LLM_BASE_URL": "llm.base_url",
    "AISLE_LLM_MODEL": "llm.model",
    # Secret; never put it in config.yml.
    "AISLE_LLM_API_KEY": "llm.api_key",
    # memory (one process) or redis (several workers).
    "AISLE_PUBSUB_KIND": "pubsub.kind",
    "AISLE_REDIS_URL": "pubsub.redis_url",
    # URL of a rasa_sdk action server; empty runs actions in process.
    "AISLE_ACTIONS_ENDPOINT": "dialogue.actions_endpoint",
    # Comma-separated origins allowed to use the widget's channels besides the server's own.
    "AISLE_ALLOWED_ORIGINS": "channels.allowed_origins",
    "AISLE_HOST": "server.host",
    "AISLE_PORT": "server.port",
    "AISLE_LOG_LEVEL": "server.log_level",
    # text (default) or json: one JSON object a line.
    "AISLE_LOG_FORMAT": "server.log_format",
    # Secret: bearer token for /api/agent, /api/admin and /readyz's details (at least 16
    # characters; in production required, at least 32, random).
    "AISLE_API_TOKEN": "security.api_token",
    # Secret: the HS256 key the store signs customer tokens with (at least 32 characters);
    # empty disables `identify`.
    "AISLE_IDENTITY_SECRET": "channels.identity_secret",
    # development, test or production; production refuses weak or placeholder secrets, '*' in
    # the allowed origins and a missing API token (assistant/config/production.py).
    "AISLE_ENVIRONMENT": "environment",
}

# Keys whose environment value is a comma-separated list.
LIST_KEYS = frozenset({"channels.allowed_origins"})


def overrides_from(environ: Mapping[str, str] | None = None) -> dict[str, str | list[str]]:
    """The dotted keys set by the environment, with their raw values."""
    env = os.environ if environ is None else environ
    found: dict[str, str | list[str]] = {}
    for var, key in OVERRIDES.items():
        if var not in env:
            continue
        raw = env[var]
        if key in LIST_KEYS:
            found[key] = [item.strip() for item in raw.split(",") if item.strip()]
        else:
            found[key] = raw
    return found
