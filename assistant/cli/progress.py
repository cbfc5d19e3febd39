"""Progress bars for long commands (training, indexing): on stderr, only on a terminal.

A bar is drawn only when stderr is a terminal and the command was not asked to be quiet
(`--quiet`, or `--json` where the output is for a program); it is cleared when done, so only
the command's summary stays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

Advance = Callable[[int, int], None]


def shown(console: Console, *, quiet: bool) -> bool:
    return not quiet and console.is_terminal


@contextmanager
def progress_bar(
    label: str,
    *,
    quiet: bool,
    console: Console | None = None,
    finishing: str | None = None,
) -> Iterator[Advance]:
    """Yields `advance(done, total)` for the work to report to; the bar appears on the first
    report (none when there is nothing to do), and once done reaches total its label becomes
    `finishing` (a last step that has no steps of its own, such as a fit)."""
    console = console or Console(stderr=True)
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not shown(console, quiet=quiet),
        transient=True,
    )
    task = progress.add_task(label, total=None)
    started = False

    def advance(done: int, total: int) -> None:
        nonlocal started
        if not started:
            progress.start()
            started = True
        progress.update(task, completed=done, total=total)
        if finishing is not None and done >= total:
            progress.update(task, description=finishing)

    try:
        yield advance
    finally:
        if started:
            progress.stop()
