"""Running Rasa-SDK actions: in process through rasa_sdk's executor, or on an action server.

Either way the engine gets back events and dispatcher messages, and this module — not the
action — checks them: only known event types, only declared slots. A bad event fails the
action with `ActionFailed`, so nothing it asked for is half-applied.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from assistant.errors import ActionFailed, FlowError

# Event types an action may return, and the fields each must carry.
ALLOWED_EVENTS: dict[str, tuple[str, ...]] = {
    "slot": ("name",),
    "reset_slots": (),
    "pause": (),
    "resume": (),
    "followup": ("name",),
    "restart": (),
    # Only `ActiveLoop(None)`: the action ends the flow it runs in (Rasa's way to end a form).
    "active_loop": (),
}


@dataclass(frozen=True)
class ActionResult:
    events: list[dict[str, Any]]
    responses: list[dict[str, Any]]


class ActionRunner(Protocol):
    def names(self) -> set[str]: ...

    async def run(
        self, action_name: str, tracker: dict[str, Any], domain: dict[str, Any]
    ) -> ActionResult: ...

    async def aclose(self) -> None: ...


def check_events(action_name: str, events: list[Any], slots: set[str]) -> list[dict[str, Any]]:
    checked: list[dict[str, Any]] = []
    for event in events:
        if not isinstance(event, dict):
            raise ActionFailed(action_name, f"returned a non-event {type(event).__name__}")
        kind = event.get("event")
        if kind not in ALLOWED_EVENTS:
            raise ActionFailed(action_name, f"returned an unsupported event {kind!r}")
        missing = [name for name in ALLOWED_EVENTS[kind] if not event.get(name)]
        if missing:
            raise ActionFailed(action_name, f"{kind} event lacks {', '.join(missing)}")
        if kind == "active_loop" and event.get("name") is not None:
            raise ActionFailed(action_name, "may only end its flow (active_loop with no name)")
        if kind == "slot" and event["name"] not in slots:
            raise ActionFailed(action_name, f"set an undeclared slot {event['name']!r}")
        checked.append(event)
    return checked


def _call(action_name: str, tracker: dict[str, Any], domain: dict[str, Any]) -> dict[str, Any]:
    return {
        "next_action": action_name,
        "sender_id": tracker["sender_id"],
        "tracker": tracker,
        "domain": domain,
        "version": "3.1",
    }


class InProcessActionRunner:
    """rasa_sdk's own ActionExecutor, fed from the package's explicit registry."""

    def __init__(self, package: str, *, services: object | None = None) -> None:
        from rasa_sdk.executor import ActionExecutor

        try:
            registry = importlib.import_module(f"{package}.registry")
        except ImportError as exc:
            raise FlowError(f"actions package {package!r} has no registry module: {exc}") from exc
        self._executor = ActionExecutor()
        for action_class in registry.ACTIONS:
            self._executor.register_action(action_class)
        # A package may take the assistant's services (one bundle) for the length of each run.
        self._services = services
        self._scope: Callable[..., AbstractContextManager[None]] | None = None
        if services is not None:
            try:
                module = importlib.import_module(f"{package}.services")
            except ImportError as exc:
                raise FlowError(f"actions package {package!r} has no services module") from exc
            self._scope = module.using

    def names(self) -> set[str]:
        return set(self._executor.actions)

    async def run(
        self, action_name: str, tracker: dict[str, Any], domain: dict[str, Any]
    ) -> ActionResult:
        from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

        scope = self._scope(self._services) if self._scope else nullcontext()
        try:
            with scope:
                result = await self._executor.run(_call(action_name, tracker, domain))
        except (ActionNotFoundException, ActionExecutionRejection) as exc:
            raise ActionFailed(action_name, str(exc)) from exc
        if result is None:
            raise ActionFailed(action_name, "the executor returned nothing")
        return ActionResult(events=list(result.events), responses=list(result.responses))

    async def aclose(self) -> None:
        return None


class HttpActionRunner:
    """A rasa_sdk action server (`python -m rasa_sdk --actions actions`) over HTTP."""

    def __init__(self, endpoint: str, *, timeout_s: float = 10.0, names: set[str]) -> None:
        self._endpoint = endpoint.rstrip("/")
        self._client = httpx.AsyncClient(timeout=timeout_s)
        self._names = names

    def names(self) -> set[str]:
        return set(self._names)

    async def run(
        self, action_name: str, tracker: dict[str, Any], domain: dict[str, Any]
    ) -> ActionResult:
        url = self._endpoint if self._endpoint.endswith("/webhook") else f"{self._endpoint}/webhook"
        try:
            response = await self._client.post(url, json=_call(action_name, tracker, domain))
        except httpx.HTTPError as exc:
            raise ActionFailed(action_name, f"action server unreachable: {exc}") from exc
        if response.status_code != 200:
            detail = response.text[:200]
            raise ActionFailed(
                action_name, f"action server answered {response.status_code}: {detail}"
            )
        body = response.json()
        return ActionResult(
            events=list(body.get("events") or []), responses=list(body.get("responses") or [])
        )

    async def aclose(self) -> None:
        await self._client.aclose()


def registered_action_names(package: str) -> set[str]:
    """Names of the actions in a package's registry, without running anything."""
    registry = importlib.import_module(f"{package}.registry")
    return {action_class().name() for action_class in registry.ACTIONS}
