"""What `environment: production` refuses: weak secrets, any-origin access, no API token.

Checked by `assistant.config.Settings` once the values are valid; development and test keep
accepting short tokens. Messages never repeat a secret's value.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.config import Settings

MIN_SECRET_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 10
# Found anywhere in the value, case-insensitive, ignoring `_` and `-` ("CHANGE_ME" too).
PLACEHOLDER_WORDS = ("changeme", "placeholder", "example", "secret", "password")
# Short ones count at the start of the value or of one of its parts ("test-token-…",
# "sk-xxxxxxxx…"): anywhere, a random token would contain them now and then.
PLACEHOLDER_STARTS = ("test", "xxxx", "aaaa")
GENERATE = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'

_PARTS = re.compile(r"[^a-z0-9]+")


def secret_weakness(value: str) -> str | None:
    """Why `value` is not a production secret, or None when it may be one."""
    folded = value.lower().replace("_", "").replace("-", "")
    for word in PLACEHOLDER_WORDS:
        if word in folded:
            return f"contains the placeholder word {word!r}"
    for part in _PARTS.split(value.lower()):
        for start in PLACEHOLDER_STARTS:
            if part.startswith(start):
                return f"looks like a placeholder ({start!r}…)"
    if len(value) < MIN_SECRET_LENGTH:
        return f"shorter than {MIN_SECRET_LENGTH} characters"
    if len(set(value)) < MIN_DISTINCT_CHARACTERS:
        return f"fewer than {MIN_DISTINCT_CHARACTERS} distinct characters"
    return None


def production_problems(settings: Settings) -> list[tuple[str, str]]:
    """(dotted key, what is wrong) for each setting production refuses."""
    problems: list[tuple[str, str]] = []
    if settings.security.api_token is None:
        problems.append(
            (
                "security.api_token",
                f"required in production (set AISLE_API_TOKEN; generate one with {GENERATE})",
            )
        )
    secrets = {
        "security.api_token": settings.security.api_token,
        "channels.identity_secret": settings.channels.identity_secret,
        "llm.api_key": settings.llm.api_key,
    }
    for key, value in secrets.items():
        weakness = secret_weakness(value) if value else None
        if weakness:
            problems.append((key, f"{weakness}; generate a real secret with {GENERATE}"))
    if "*" in settings.channels.allowed_origins:
        problems.append(
            (
                "channels.allowed_origins",
                "'*' lets any site use the widget's channels in production; "
                "list the store's own origins (https://shop.example.com)",
            )
        )
    return problems
