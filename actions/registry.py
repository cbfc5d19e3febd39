"""The explicit list of actions the assistant registers; no subclass scanning."""

from __future__ import annotations

from rasa_sdk import Action

from actions.handoff import ActionHandoff

ACTIONS: tuple[type[Action], ...] = (ActionHandoff,)
