"""What arrives while the shopper waits or looks away: a model's answer streamed as a draft
that the stored message then replaces, and the launcher's count of messages that came in
while the panel was closed.

The streaming test runs against a second server, on the same prepared data as the session's,
whose language model is the queue-driven fake (tests/fake_llm.py) writing a grounded rewrite
word by word.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.harness import AisleServer, Chat, FrameLog, Pages, wait_until
from tests.fake_llm import FakeModelServer, Reply

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

# The question and the model's rewrite of the documents' answer that the grounding guard
# accepts (tests/knowledge/test_answers.py).
QUESTION = "How long does delivery take?"
REWRITE = "Standard delivery takes 3 to 5 business days after your order is processed [1]."
# Between the model's words: 14 words, about a second, so drafts (at most one per 50 ms) go
# out several times before the answer is checked.
PIECE_DELAY_S = 0.08


class ModelServer(AisleServer):
    """`assistant serve` with a language model: the `openai` provider pointed at `model`."""

    def __init__(self, directory: Path, model: FakeModelServer) -> None:
        super().__init__(directory)
        self.model = model

    @property
    def env(self) -> dict[str, str]:
        return {
            **super().env,
            "AISLE_LLM_PROVIDER": "openai",
            "AISLE_LLM_BASE_URL": self.model.base_url,
            "AISLE_LLM_MODEL": "fake",
        }

    def copy_data_from(self, other: AisleServer) -> None:
        """Start from another server's prepared data rather than preparing it again: its
        vector store and NLU model (which a server only reads) and its database (copied with
        SQLite's backup API, consistent while that server runs)."""
        self.logs.mkdir(parents=True, exist_ok=True)
        shutil.copytree(other.data_dir, self.data_dir)
        with (
            contextlib.closing(sqlite3.connect(other.database_path)) as source,
            contextlib.closing(sqlite3.connect(self.database_path)) as target,
        ):
            source.backup(target)


def _model_reply(body: dict[str, Any]) -> str:
    """The fake model's answer to any request: commands (JSON, asked for when the NLU is
    unsure) are none; anything else is the rewrite."""
    if "response_format" in body:
        return '{"commands": []}'
    return REWRITE


@pytest.fixture(scope="module")
def model_server(
    aisle_server: AisleServer,
    fake_server: FakeModelServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ModelServer]:
    fake_server.default = Reply(_model_reply, piece_delay_s=PIECE_DELAY_S)
    server = ModelServer(tmp_path_factory.mktemp("browser-model-server"), fake_server)
    server.copy_data_from(aisle_server)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        server.keep_logs("model-server-")


# Installed before the question: records, from the widget's shadow root, every message node
# added (a draft, or a stored message by its seq), every draft removed, and the text each
# draft showed.
WATCH_DRAFTS = """
() => {
  const root = document.querySelector('#aisle-widget').shadowRoot;
  const log = window.aisleDrafts = {shown: false, events: [], texts: []};
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1 || !node.classList.contains('aisle-msg')) continue;
        const draft = node.classList.contains('aisle-draft');
        if (draft) log.shown = true;
        log.events.push(draft ? 'added draft' : `added ${node.dataset.seq || 'local'}`);
      }
      for (const node of record.removedNodes) {
        if (node.nodeType === 1 && node.classList.contains('aisle-draft')) {
          log.events.push('removed draft');
        }
      }
    }
    const draft = root.querySelector('.aisle-msg.aisle-draft');
    if (draft) log.texts.push(draft.textContent);
  }).observe(root, {childList: true, subtree: true});
}
"""


def test_a_streamed_reply_is_shown_as_a_draft_then_replaced_by_the_answer(
    pages: Pages, model_server: ModelServer
) -> None:
    fake = model_server.model
    fake.requests.clear()
    page, frames = pages.new(viewport={"width": 1280, "height": 800})
    page.goto(f"{model_server.url}/")
    chat = Chat(page, frames)
    chat.launcher.wait_for()
    chat.open()
    page.evaluate(WATCH_DRAFTS)

    chat.say(QUESTION)

    # The model was asked once, streaming, with the documents' passages.
    streamed = [r for r in fake.requests if r.get("stream")]
    assert len(streamed) == 1, fake.requests
    (ack,) = frames.of_type("ack")
    asked = ack["seq"]

    # Drafts arrived: one draft, its text growing to the model's whole answer...
    drafts = frames.of_type("draft")
    assert drafts, f"no draft frame: {frames.received}"
    assert len({d["id"] for d in drafts}) == 1, drafts
    draft_id = drafts[0]["id"]
    assert all(d["reply_to"] == asked for d in drafts), drafts
    texts = [d["text"] for d in drafts]
    assert all(b.startswith(a) for a, b in itertools.pairwise(texts)), texts
    assert texts[-1] == REWRITE, texts

    # ...then the stored answer, the only reply of the turn, replacing that draft.
    replies = [m for m in frames.of_type("message") if m["seq"] > asked]
    assert [m["role"] for m in replies] == ["bot"], replies
    (final,) = replies
    assert final.get("replaces") == draft_id, final
    assert final["custom"]["generated"] is True, f"the guard refused the rewrite: {final}"
    assert final["text"] == REWRITE
    assert frames.received.index(drafts[-1]) < frames.received.index(final)

    # While the model wrote, the widget showed the draft; the answer took its place.
    watched = page.evaluate("() => window.aisleDrafts")
    assert watched["shown"], f"no .aisle-draft was ever shown: {watched}"
    events = watched["events"]
    assert "added draft" in events and "removed draft" in events, events
    assert (
        events.index("added draft")
        < events.index("removed draft")
        <= events.index(f"added {final['seq']}")
    ), events
    shown = [t.strip() for t in watched["texts"] if t.strip()]
    assert shown and all(REWRITE.startswith(t) for t in shown), watched["texts"]

    expect(chat.log.locator(".aisle-draft")).to_have_count(0)
    bots = [seq for seq, role in chat.rendered_roles().items() if seq > asked and role == "bot"]
    assert bots == [final["seq"]], chat.rendered_roles()
    answer = chat.log.locator(f'.aisle-msg.aisle-bot[data-seq="{final["seq"]}"]')
    expect(answer).to_have_count(1)
    expect(answer.locator(".bubble")).to_have_text(final["text"])


def _message_seqs(frames: FrameLog, start: int = 0) -> list[int]:
    return [int(m["seq"]) for m in frames.of_type("message", frames.received[start:])]


def test_messages_that_arrive_while_closed_are_counted_on_the_launcher(
    chat: Chat, frames: FrameLog, server: AisleServer
) -> None:
    badge = chat.host.locator(".aisle-badge")
    chat.open()
    chat.say("hi")
    chat.click_reply("Talk to a person")
    expect(chat.panel.locator(".aisle-banner")).to_contain_text("Waiting for a person")
    chat.close_button.click()
    expect(chat.panel).to_be_hidden()
    # Everything so far was seen with the panel open.
    expect(chat.launcher).to_have_accessible_name("Open chat: Chat with us")
    expect(badge).to_be_hidden()

    closed_at = len(frames.received)
    conversation = server.conversation_id(frames.session)
    claimed = server.agent("POST", f"conversations/{conversation}/claim", agent="Alex")
    said = server.agent(
        "POST", f"conversations/{conversation}/messages", text="Hi, I'm Alex. How can I help?"
    )
    last = int(said["message"]["seq"])
    wait_until(
        chat.page,
        lambda: last in _message_seqs(frames, closed_at),
        10,
        "the agent's message in the page",
    )

    # Unread: the messages not the shopper's that arrived while the panel was hidden (the
    # notice that Alex joined, and Alex's message).
    new = [m for m in [*claimed["messages"], said["message"]] if m["role"] != "user"]
    arrived = [
        m for m in frames.of_type("message", frames.received[closed_at:]) if m["role"] != "user"
    ]
    assert [m["seq"] for m in arrived] == [m["seq"] for m in new], (arrived, new)
    count = len(new)
    assert count == 2, new
    expect(chat.launcher).to_have_accessible_name(f"Open chat: Chat with us ({count} new)")
    expect(badge).to_be_visible()
    expect(badge).to_have_text(str(count))

    # Opening the panel shows them: the count is gone.
    chat.open()
    expect(chat.log.locator(".aisle-msg.aisle-agent").last).to_contain_text("How can I help?")
    expect(badge).to_be_hidden()
    expect(chat.launcher).to_have_accessible_name("Open chat: Chat with us")
    expect(chat.launcher).not_to_have_accessible_name(re.compile("new"))

    # Closed again and reloaded: the whole conversation is replayed, none of it new (the
    # highest seq seen is stored), so no count comes back.
    chat.close_button.click()
    expect(chat.panel).to_be_hidden()
    reloaded_at = len(frames.received)
    chat.page.reload()
    chat.launcher.wait_for()
    wait_until(
        chat.page,
        lambda: last in _message_seqs(frames, reloaded_at),
        15,
        "the conversation replayed after the reload",
    )
    expect(chat.panel).to_be_hidden()
    expect(chat.launcher).to_have_accessible_name("Open chat: Chat with us")
    expect(badge).to_be_hidden()
