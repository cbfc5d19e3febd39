"""What every command shares: the settings, loaded once from `--config` (or AISLE_CONFIG,
or ./config.yml) when a command first asks for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import typer

from assistant.config import Settings, load_settings
from assistant.logs import configure_logging


@dataclass
class CLIState:
    config_path: Path | None = None
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
            configure_logging(self._settings)
        return self._settings


def state(ctx: typer.Context) -> CLIState:
    root = ctx.find_root()
    if not isinstance(root.obj, CLIState):
        root.obj = CLIState()
    return root.obj
