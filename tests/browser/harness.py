"""What the browser tests drive: a real `assistant serve` process on the demo store, the
WebSocket frames a page exchanges, the widget (page object) and axe-core.

Usable outside pytest too (tests/browser/docs_screenshots.py writes the docs' screenshots
with it).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import jsonschema
from playwright.sync_api import Browser, BrowserContext, Locator, Page, WebSocket, expect

from tests.protocol_frames import check
from tests.servers import free_port, serve

ROOT = Path(__file__).resolve().parents[2]
# Debian's Chromium (apt-get install chromium); the tests never download a browser.
CHROMIUM = Path("/usr/bin/chromium")
# axe-core from npm (web_widget/package.json; `make install-dev` runs `npm ci` there).
AXE = ROOT / "web_widget" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
API_TOKEN = "browser-test-token-0123456789abcdef"
# The store's secret for customer tokens (`Aisle.identify`), shared with the server.
IDENTITY_SECRET = "browser-test-identity-secret-0123456789abcdef"

# Playwright's own waits (locators, expect) give the widget this long.
TIMEOUT_MS = 15_000
# How long a bot turn may take in the browser (no language model: well under a second, but
# the first search builds the catalog index).
TURN_TIMEOUT_S = 60.0


class AisleServer:
    """`assistant serve` in its own process on a fixed port, against its own SQLite database
    and data directory; `stop()`, `start()` and `restart()` keep the port and the database."""

    def __init__(
        self,
        directory: Path,
        port: int | None = None,
        *,
        database_url: str | None = None,
        redis_url: str | None = None,
        chroma_port: int | None = None,
    ) -> None:
        self.directory = directory
        # SQLite and Chroma in the directory unless a shared database, Redis and Chroma
        # server are named: workers.
        self.database_url = database_url
        self.redis_url = redis_url
        self.chroma_port = chroma_port
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = directory / "data"
        self.database_path = directory / "aisle.db"
        self.logs = directory / "logs"
        self.starts = 0
        self._stack: contextlib.ExitStack | None = None

    @property
    def env(self) -> dict[str, str]:
        """The settings of the server and its CLI commands, over the caller's environment:
        every override that could change what the tests see is set here."""
        return {
            "AISLE_CONFIG": str(ROOT / "config.yml"),
            "AISLE_ENVIRONMENT": "test",
            "AISLE_DATA_DIR": str(self.data_dir),
            "AISLE_DATABASE_URL": self.database_url or f"sqlite:///{self.database_path}",
            "AISLE_HOST": "127.0.0.1",
            "AISLE_PORT": str(self.port),
            "AISLE_ALLOWED_ORIGINS": f"{self.url},http://localhost:{self.port}",
            "AISLE_API_TOKEN": API_TOKEN,
            "AISLE_IDENTITY_SECRET": IDENTITY_SECRET,
            "AISLE_LLM_PROVIDER": "none",
            "AISLE_PUBSUB_KIND": "redis" if self.redis_url else "memory",
            **({"AISLE_REDIS_URL": self.redis_url} if self.redis_url else {}),
            **self._vector_store,
            "AISLE_ACTIONS_ENDPOINT": "",
            "AISLE_LOG_LEVEL": "info",
        }

    @property
    def _vector_store(self) -> dict[str, str]:
        if self.chroma_port is None:
            return {"AISLE_VECTOR_STORE_KIND": "persistent"}
        return {"AISLE_VECTOR_STORE_KIND": "http", "AISLE_VECTOR_STORE_PORT": str(self.chroma_port)}

    def cli(self, *arguments: str, timeout: float = 900, input: str | None = None) -> str:
        """Run `assistant <arguments>` on this server's settings; its output."""
        result = subprocess.run(
            [sys.executable, "-m", "assistant", *arguments],
            cwd=ROOT,
            env={**os.environ, **self.env},
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"assistant {' '.join(arguments)} failed ({result.returncode}):\n"
                f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
            )
        return result.stdout

    def prepare_data(self) -> None:
        """What `make run` does before serving, the NLU model aside: migrate, seed the demo
        store, index the knowledge base."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        self.cli("db", "upgrade")
        self.cli("store", "seed")
        self.cli("kb", "ingest")

    def install_model(self, nlu_model: Path) -> None:
        """Use an NLU model trained on nlu_data/ (the test session's) instead of training."""
        target = self.data_dir / "models" / "nlu.joblib"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(nlu_model, target)

    def prepare(self) -> None:
        """Everything `make run` does before serving, the NLU model trained by `assistant
        train`."""
        self.prepare_data()
        self.cli("train", "--if-stale")

    def start(self, timeout: float = 180.0) -> None:
        assert self._stack is None, "the server is running"
        self.starts += 1
        stack = contextlib.ExitStack()
        # `serve` waits for /readyz (database, vector store, model, pub/sub) and stops the whole
        # process group when the stack closes.
        stack.enter_context(
            serve(
                [sys.executable, "-m", "assistant", "serve"],
                health=f"{self.url}/readyz",
                log_path=self.logs / f"serve-{self.starts}.log",
                cwd=ROOT,
                env=self.env,
                timeout=timeout,
            )
        )
        self._stack = stack

    def stop(self) -> None:
        if self._stack is not None:
            stack, self._stack = self._stack, None
            stack.close()

    def keep_logs(self, prefix: str) -> None:
        """Copy the server's logs to the test artifacts, as `<prefix><log name>`."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for log in sorted(self.logs.glob("*.log")):
            shutil.copyfile(log, ARTIFACTS / f"{prefix}{log.name}")

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        return self._stack is not None

    # -- what the server stored --------------------------------------------------------------

    def conversation_id(self, session_token: str) -> str:
        """The conversation a widget session token names (read from the database)."""
        with contextlib.closing(sqlite3.connect(self.database_path)) as db:
            row = db.execute(
                "SELECT id FROM conversations WHERE channel = 'web' AND external_id = ?",
                (session_token,),
            ).fetchone()
        assert row is not None, f"no conversation for session {session_token[:8]}…"
        return str(row[0])

    def agent(self, method: str, path: str, **body: Any) -> dict[str, Any]:
        """Call the agent API (`/api/agent/<path>`) as a person on the support team."""
        response = httpx.request(
            method,
            f"{self.url}/api/agent/{path}",
            headers={"Authorization": f"Bearer {API_TOKEN}"},
            json=body or None,
            timeout=10,
        )
        response.raise_for_status()
        return dict(response.json())

    def history(self, session_token: str) -> list[dict[str, Any]]:
        """Every stored message of the session's conversation, as the agent API returns them
        (`GET /api/agent/conversations/{id}/messages`): message frames, in seq order."""
        conversation = self.conversation_id(session_token)
        return list(self.agent("GET", f"conversations/{conversation}/messages")["messages"])


# -- WebSocket frames ---------------------------------------------------------------------------


def _decode(payload: str | bytes) -> Any:
    text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
    try:
        return json.loads(text)
    except ValueError:
        return text  # not JSON: kept as is, and reported by check_all()


@dataclass
class FrameLog:
    """Every frame of every `WS /ws/chat` socket the pages of one browser context open, in
    the order the browser saw them."""

    sent: list[Any] = field(default_factory=list)
    received: list[Any] = field(default_factory=list)
    sockets: list[WebSocket] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("websocket", self._on_socket)

    def _on_socket(self, ws: WebSocket) -> None:
        if urlparse(ws.url).path != "/ws/chat":
            return
        self.sockets.append(ws)
        ws.on("framesent", lambda payload: self.sent.append(_decode(payload)))
        ws.on("framereceived", lambda payload: self.received.append(_decode(payload)))

    def of_type(self, kind: str, frames: list[Any] | None = None) -> list[dict[str, Any]]:
        source = self.received if frames is None else frames
        return [f for f in source if isinstance(f, dict) and f.get("type") == kind]

    @property
    def session(self) -> str:
        """The session token of the latest welcome."""
        welcomes = self.of_type("welcome")
        assert welcomes, "no welcome frame received"
        return str(welcomes[-1]["session"])

    def problems(self) -> list[str]:
        """Each frame that does not match docs/protocol.schema.json, described."""
        found = []
        for direction, frames, kind in (
            ("sent", self.sent, "ClientFrame"),
            ("received", self.received, "ServerFrame"),
        ):
            for index, frame in enumerate(frames):
                try:
                    check(frame, kind)
                except jsonschema.ValidationError as error:
                    found.append(f"{direction} #{index} is no {kind}: {error.message}: {frame!r}")
        return found

    def check_all(self) -> None:
        """Every frame seen is valid; and there were frames both ways (never vacuous)."""
        assert self.sent, "the page sent no WebSocket frame: nothing to check"
        assert self.received, "the page received no WebSocket frame: nothing to check"
        problems = self.problems()
        assert not problems, "frames outside the protocol:\n" + "\n".join(problems)

    def dump(self, path: Path) -> None:
        path.write_text(
            json.dumps({"sent": self.sent, "received": self.received}, indent=1, default=str)
        )


# Added to every page before its scripts: records the page's WebSocket objects in
# `window.aisleSockets`, so a test can drop a connection as a failing network would.
RECORD_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.aisleSockets = [];
  window.WebSocket = class extends Native {
    constructor(...args) { super(...args); window.aisleSockets.push(this); }
  };
})();
"""


def wait_until(page: Page, condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll `condition` while letting the browser's events reach Python."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        page.wait_for_timeout(50)


# -- the widget ---------------------------------------------------------------------------------


class Chat:
    """The widget on a page, by its DOM contract (roles and names, `.aisle-*` classes)."""

    def __init__(self, page: Page, frames: FrameLog) -> None:
        self.page = page
        self.frames = frames
        self.host = page.locator("#aisle-widget")
        self.launcher = page.get_by_role("button", name=re.compile(r"^Open chat"))
        self.panel = page.get_by_role("dialog")
        self.close_button = page.get_by_role("button", name="Close chat", exact=True)
        self.input = page.get_by_role("textbox", name="Message", exact=True)
        self.send_button = page.get_by_role("button", name="Send", exact=True)
        self.log = page.get_by_role("log", name="Conversation", exact=True)
        # Stored messages as rendered (the local greeting and notices are not among them).
        self.stored = self.log.locator(".aisle-msg[data-seq]")
        self.replies = self.log.locator("button.aisle-reply")
        self.cards = self.log.locator(".aisle-cards .aisle-card")

    def open(self) -> None:
        self.launcher.click()
        expect(self.panel).to_be_visible()

    def ensure_open(self) -> None:
        """Open the panel unless it is (a widget may reopen itself on a new page, so no
        launcher click, which would toggle it): `Aisle.open()`, once the widget is there."""
        self.launcher.wait_for(state="attached")
        self.page.evaluate("() => Aisle.open()")
        expect(self.panel).to_be_visible()

    def say(self, text: str, timeout_s: float = TURN_TIMEOUT_S) -> None:
        """Type `text`, press Enter, and wait for the assistant's turn to end."""
        with self.turn(timeout_s):
            self.input.fill(text)
            self.input.press("Enter")

    def click_reply(self, name: str | re.Pattern[str]) -> None:
        """Click the (enabled) quick reply named `name`, and wait for the turn to end."""
        button = self.log.get_by_role("button", name=name).and_(self.replies).last
        expect(button).to_be_enabled()
        with self.turn():
            button.click()

    @contextlib.contextmanager
    def turn(self, timeout_s: float = TURN_TIMEOUT_S) -> Iterator[None]:
        """Around something that sends a message: wait until it is acknowledged and the
        assistant stops typing (`typing {active: false}` after the ack)."""
        start = len(self.frames.received)
        acked = len(self.frames.of_type("ack"))
        yield

        def done() -> bool:
            after = self.frames.received[start:]
            acks = [
                i for i, f in enumerate(after) if isinstance(f, dict) and f.get("type") == "ack"
            ]
            return bool(acks) and any(
                isinstance(f, dict) and f.get("type") == "typing" and f.get("active") is False
                for f in after[acks[0] :]
            )

        wait_until(self.page, done, timeout_s, f"the answer (acks before: {acked})")

    def bot(self, text: str | re.Pattern[str]) -> Locator:
        """The bot messages containing `text`."""
        return self.log.locator(".aisle-msg.aisle-bot").filter(has_text=text)

    def user(self, text: str | re.Pattern[str]) -> Locator:
        return self.log.locator(".aisle-msg.aisle-user").filter(has_text=text)

    def rendered_seqs(self) -> list[int]:
        """The `data-seq` of every stored message rendered, in document order."""
        values = self.stored.evaluate_all("nodes => nodes.map(n => n.dataset.seq)")
        return [int(v) for v in values]

    def rendered_roles(self) -> dict[int, str]:
        """seq -> the role its classes name (aisle-bot, aisle-user, aisle-agent, aisle-system)."""
        pairs = self.stored.evaluate_all(
            """nodes => nodes.map(n => [n.dataset.seq, ['bot', 'user', 'agent', 'system']
                 .filter(r => n.classList.contains('aisle-' + r))])"""
        )
        return {int(seq): ",".join(roles) for seq, roles in pairs}


def deep_focus(page: Page) -> dict[str, Any] | None:
    """The focused element, looking into open shadow roots: its tag, classes, accessible
    label or text, and whether it is inside the widget."""
    return page.evaluate(
        """() => {
          let el = document.activeElement, inWidget = false;
          while (el && el.shadowRoot && el.shadowRoot.activeElement) {
            if (el.id === 'aisle-widget') inWidget = true;
            el = el.shadowRoot.activeElement;
          }
          if (!el || el === document.body) return null;
          return {tag: el.tagName.toLowerCase(), className: String(el.className || ''),
                  label: el.getAttribute('aria-label') || (el.textContent || '').trim(),
                  inWidget};
        }"""
    )


def tab_until(
    page: Page,
    wanted: Callable[[dict[str, Any] | None], bool],
    *,
    backwards: bool = False,
    limit: int = 200,
) -> int:
    """Press Tab (Shift+Tab `backwards`) until `wanted(deep_focus(page))`; how many presses
    it took. (The demo store page has a button per product before the widget.)"""
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if wanted(deep_focus(page)):
            return presses
    raise AssertionError(f"{limit} × {key} did not reach it; focus is on {deep_focus(page)}")


# -- pages ------------------------------------------------------------------------------------


class Pages:
    """The pages a test opened, each in its own context, with their frames and errors."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[tuple[BrowserContext, FrameLog, list[str]]] = []

    def new(self, **context_options: Any) -> tuple[Page, FrameLog]:
        context = self.browser.new_context(base_url=self.base_url, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(RECORD_SOCKETS)
        frames = FrameLog()
        errors: list[str] = []

        def watch(page: Page) -> None:
            frames.watch(page)
            page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))

        context.on("page", watch)
        page = context.new_page()
        self.contexts.append((context, frames, errors))
        return page, frames


# -- axe-core -----------------------------------------------------------------------------------


def run_axe(page: Page, context: Any = None) -> list[dict[str, Any]]:
    """axe-core's violations on the page (open shadow roots included, as axe does by default)."""
    if not AXE.is_file():
        raise AssertionError(f"{AXE} is missing: run `make install-dev` (npm ci in web_widget)")
    if not page.evaluate("() => Boolean(window.axe)"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (context) => {
          const results = await axe.run(context || document, {resultTypes: ['violations']});
          return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))}));
        }""",
        context,
    )
    return list(result)


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """Each violation and its first nodes, those in the widget (a target path through its
    shadow root, starting at #aisle-widget) told apart from the page's."""
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']} ({v['help']})")
        for node in v["nodes"][:5]:
            where = "widget" if node["target"][0] == "#aisle-widget" else "page"
            summary = " ".join(str(node["summary"] or "").split())
            lines.append(f"    [{where}] {node['target']}: {summary[:300]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


# -- screenshots --------------------------------------------------------------------------------


def screenshot_name(nodeid: str) -> str:
    """A file name for a test id: tests/browser/test_x.py::test_y[a] -> test_x.test_y-a."""
    name = nodeid.split("tests/browser/")[-1].replace(".py::", ".").replace("::", ".")
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


def widget_screenshot(page: Page, path: Path, *, padding: int = 16) -> Path:
    """A PNG of the widget alone (its open panel and launcher, or the launcher), with some of
    the page around it: for the docs."""
    boxes = [
        box
        for locator in (page.get_by_role("dialog"), page.locator("#aisle-widget"))
        if locator.count() and locator.first.is_visible()
        for box in [locator.first.bounding_box()]
        if box is not None
    ]
    # The host is fixed-positioned; its own box may be the launcher's alone.
    launcher = page.get_by_role("button", name=re.compile(r"^Open chat"))
    if launcher.count() and launcher.first.is_visible():
        box = launcher.first.bounding_box()
        if box is not None:
            boxes.append(box)
    assert boxes, "the widget is not on the page"
    viewport = page.viewport_size or {"width": 1280, "height": 800}
    left = max(0.0, min(b["x"] for b in boxes) - padding)
    top = max(0.0, min(b["y"] for b in boxes) - padding)
    right = min(float(viewport["width"]), max(b["x"] + b["width"] for b in boxes) + padding)
    bottom = min(float(viewport["height"]), max(b["y"] + b["height"] for b in boxes) + padding)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(path), clip={"x": left, "y": top, "width": right - left, "height": bottom - top}
    )
    return path
