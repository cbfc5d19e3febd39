"""Running Rasa-SDK actions: in process through rasa_sdk's executor, or on an action server.

Either way the engine gets back events and dispatcher messages, and this module — not the
action — reads them into typed ones (`action_events.py`): only known event types with their
fields, only the slots the domain declares. A bad event fails the action with `ActionFailed`,
so nothing it asked for is half-applied.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol

import httpx

from assistant.engine.action_events import ActionResult, read_action_result
from assistant.errors import ActionFailed, FlowError


class ActionRunner(Protocol):
    def names(self) -> set[str]: ...

    async def run(
        self, action_name: str, tracker: dict[str, Any], domain: dict[str, Any]
    ) -> ActionResult: ...

    async def aclose(self) -> None: ...


def _call(action_name: str, tracker: dict[str, Any], domain: dict[str, Any]) -> dict[str, Any]:
    return {
        "next_action": action_name,
        "sender_id": tracker["sender_id"],
        "tracker": tracker,
        "domain": domain,
        "version": "3.1",
    }


def _slots(domain: dict[str, Any]) -> set[str]:
    """The slots an action may set: those of the domain it was given."""
    return set(domain.get("slots") or ())


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
        return read_action_result(
            action_name, result.events, result.responses, slots=_slots(domain)
        )

    async def aclose(self) -> None:
        return None


class HttpActionRunner:
    """A rasa_sdk action server (`python -m rasa_sdk --actions actions`) over HTTP."""

    def __init__(
        self,
        endpoint: str,
        *,
        timeout_s: float = 10.0,
        names: set[str],
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._endpoint = endpoint.rstrip("/")
        self._client = httpx.AsyncClient(timeout=timeout_s, transport=transport)
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
        try:
            body = response.json()
        except ValueError as exc:
            raise ActionFailed(action_name, "action server answered no JSON") from exc
        if not isinstance(body, dict):
            kind = type(body).__name__
            raise ActionFailed(action_name, f"action server answered a {kind}, not an object")
        return read_action_result(
            action_name,
            body.get("events") or [],
            body.get("responses") or [],
            slots=_slots(domain),
        )

    async def aclose(self) -> None:
        await self._client.aclose()


def registered_action_names(package: str) -> set[str]:
    """Names of the actions in a package's registry, without running anything."""
    registry = importlib.import_module(f"{package}.registry")
    return {action_class().name() for action_class in registry.ACTIONS}
