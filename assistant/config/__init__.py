"""Typed settings: `config.yml` plus the environment overrides of `assistant.envs`.

Loaded once by the CLI or the app factory and handed down; nothing reads configuration at
import time. Any invalid value raises `ConfigError` naming the offending key, and the
environment variable it came from when one set it (`AISLE_PORT (server.port): ...`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError, model_validator

from assistant import envs
from assistant.config.production import production_problems
from assistant.config.recs import RecsParams
from assistant.config.sections import (
    AssistantSection,
    ChannelsSection,
    DatabaseSection,
    DialogueSection,
    EmbeddingsSection,
    EventsSection,
    LlamaCppSection,
    LLMProvider,
    LLMSection,
    NLUSection,
    PubSubSection,
    RecommendationsSection,
    RestChannel,
    SavedReply,
    SearchSection,
    SecuritySection,
    ServerSection,
    StoreSection,
    SupportSection,
    VectorStoreKind,
    VectorStoreSection,
    WebSocketChannel,
    _Section,
)
from assistant.errors import ConfigError

__all__ = [
    "AssistantSection",
    "ChannelsSection",
    "DatabaseSection",
    "DialogueSection",
    "EmbeddingsSection",
    "EventsSection",
    "KeyedProblems",
    "LLMProvider",
    "LLMSection",
    "LlamaCppSection",
    "NLUSection",
    "PubSubSection",
    "RecommendationsSection",
    "RecsParams",
    "RestChannel",
    "SavedReply",
    "SearchSection",
    "SecuritySection",
    "ServerSection",
    "Settings",
    "StoreSection",
    "SupportSection",
    "VectorStoreKind",
    "VectorStoreSection",
    "WebSocketChannel",
    "load_settings",
]


class Settings(_Section):
    environment: Literal["development", "production", "test"] = "development"
    data_dir: str = "data"
    assistant: AssistantSection = AssistantSection()
    database: DatabaseSection = DatabaseSection()
    vector_store: VectorStoreSection = VectorStoreSection()
    embeddings: EmbeddingsSection = EmbeddingsSection()
    llm: LLMSection = LLMSection()
    channels: ChannelsSection = ChannelsSection()
    events: EventsSection = EventsSection()
    search: SearchSection = SearchSection()
    recommendations: RecommendationsSection = RecommendationsSection()
    nlu: NLUSection = NLUSection()
    dialogue: DialogueSection = DialogueSection()
    pubsub: PubSubSection = PubSubSection()
    server: ServerSection = ServerSection()
    store: StoreSection = StoreSection()
    security: SecuritySection = SecuritySection()
    support: SupportSection = SupportSection()
    # Directory relative paths are resolved against (the config file's directory).
    root: str = "."

    @model_validator(mode="after")
    def _strong_in_production(self) -> Settings:
        if self.environment == "production":
            problems = production_problems(self)
            if problems:
                raise KeyedProblems(problems)
        return self

    # Resolved locations, derived from the raw values above.
    def path(self, relative: str) -> Path:
        candidate = Path(relative)
        return candidate if candidate.is_absolute() else Path(self.root) / candidate

    @property
    def data_path(self) -> Path:
        return self.path(self.data_dir)

    @property
    def database_url(self) -> str:
        if self.database.url:
            return self.database.url
        return f"sqlite:///{self.data_path / 'aisle.db'}"

    @property
    def nlu_model_path(self) -> Path:
        if self.nlu.model_path:
            return self.path(self.nlu.model_path)
        return self.data_path / "models" / "nlu.joblib"

    @property
    def vector_store_path(self) -> Path:
        return (
            self.path(self.vector_store.path)
            if self.vector_store.path
            else (self.data_path / "chroma")
        )


def _set_dotted(tree: dict[str, Any], dotted: str, value: Any) -> None:
    node = tree
    *parents, leaf = dotted.split(".")
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[leaf] = value


class KeyedProblems(ValueError):
    """Problems that belong to keys other than where they were found (production checks)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{key}: {message}" for key, message in problems))
        self.problems = problems


def _named(key: str, from_env: dict[str, str]) -> str:
    """`key`, or `VAR (key)` when an environment variable set it (or a value under it)."""
    if key == "(root)":
        return key
    variables = [
        var
        for set_key, var in from_env.items()
        if key == set_key or key.startswith(f"{set_key}.") or set_key.startswith(f"{key}.")
    ]
    return f"{', '.join(variables)} ({key})" if variables else key


def _describe(error: ValidationError, from_env: dict[str, str]) -> str:
    lines: list[str] = []
    for item in error.errors():
        found = (item.get("ctx") or {}).get("error")
        if isinstance(found, KeyedProblems):
            lines.extend(f"{_named(key, from_env)}: {message}" for key, message in found.problems)
            continue
        key = ".".join(str(part) for part in item["loc"]) or "(root)"
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{_named(key, from_env)}: {message}")
    return "; ".join(lines)


def load_settings(
    path: str | Path | None = None,
    *,
    environ: dict[str, str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> Settings:
    """Read `config.yml`, apply environment overrides, then explicit ones (tests, CLI flags)."""
    env = dict(os.environ) if environ is None else environ
    config_path = Path(path or env.get(envs.CONFIG_PATH) or "config.yml")
    raw: dict[str, Any] = {}
    if config_path.exists():
        try:
            loaded = yaml.safe_load(config_path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ConfigError(f"{config_path}: not valid YAML: {exc}") from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{config_path}: the top level must be a mapping")
        raw = loaded or {}
    elif path is not None:
        raise ConfigError(f"configuration file {config_path} does not exist")
    raw.setdefault("root", str(config_path.resolve().parent))
    variables = {key: var for var, key in envs.OVERRIDES.items()}
    from_env: dict[str, str] = {}
    for key, value in envs.overrides_from(env).items():
        _set_dotted(raw, key, value)
        from_env[key] = variables[key]
    for key, value in (overrides or {}).items():
        _set_dotted(raw, key, value)
        from_env.pop(key, None)
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        where = f"{config_path} and the environment" if from_env else str(config_path)
        raise ConfigError(f"invalid configuration ({where}): {_describe(exc, from_env)}") from exc
