"""The admin console in Chromium: an admin edits the returns policy and a shopper whose widget is
already open gets the new answer with its citation, no restart, across two workers; restoring
the earlier revision brings the old answer back; the test console shows the passages and the
answer; a question the store cannot answer shows in gaps and leaves them once answered; an
agent cannot open the console."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import Error as PlaywrightError

from tests.browser.console import PASSWORD, Console, add_team, shopper
from tests.browser.harness import (
    API_TOKEN,
    ARTIFACTS,
    AisleServer,
    Chat,
    describe_violations,
    run_axe,
)
from tests.browser.workers import two_workers
from tests.servers import RedisServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DOC = "returns-and-refunds"
QUESTION = "how long do I have to return an item?"
OLD = "There's no fixed return deadline."
NEW = "You have 60 days from delivery to return an item."
ADMIN = "ari@shop.example"
# A question the store's documents do not answer (until the test writes the answer).
GAP = "do you offer gift wrapping on orders?"


def add_admin(server: AisleServer) -> None:
    server.cli(
        "users", "add", "--email", ADMIN, "--name", "Ari", "--role", "admin",
        "--password-stdin", input=f"{PASSWORD}\n",
    )  # fmt: skip


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def staffed(aisle_server: AisleServer) -> AisleServer:
    """The session's server, with an admin and the support team."""
    listed = aisle_server.cli("users", "list")
    if ADMIN not in listed:
        add_admin(aisle_server)
    if "dana@shop.example" not in listed:
        add_team(aisle_server)
    return aisle_server


def _admin(browser: Browser, server: AisleServer, **options: object) -> Console:
    admin = Console(browser, server.url, **options)
    admin.page.goto("/admin")
    admin.by("login-email").fill(ADMIN)
    admin.by("login-password").fill(PASSWORD)
    admin.by("login-submit").click()
    expect(admin.by("nav-kb")).to_be_visible()
    return admin


def _open_document(admin: Console, doc_id: str) -> None:
    admin.by("nav-kb").click()
    admin.page.locator(f'[data-testid="doc-row"][data-doc="{doc_id}"]').click()
    expect(admin.by("editor")).to_be_visible()


def _answered(chat: Chat, text: str) -> None:
    """The latest answer says `text` and cites the returns policy."""
    chat.say(QUESTION)
    answer = chat.bot(text).last
    expect(answer).to_be_visible()
    link = chat.log.locator(f'a[href*="/kb/{DOC}"]').last
    expect(link).to_be_visible()


@pytest.mark.postgres
def test_an_edit_reaches_an_open_widget_on_another_worker_and_a_restore_undoes_it(
    browser: Browser,
    tmp_path: Path,
    database_url: str,
    redis_server: RedisServer,
    nlu_model_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    with two_workers(tmp_path, database_url, redis_server.url, nlu_model_path) as (first, second):
        add_admin(first)
        chat, frames, shopper_page = shopper(browser, second.url)
        admin = _admin(browser, first)
        try:
            _answered(chat, OLD)
            _open_document(admin, DOC)
            editor = admin.by("editor")
            expect(editor).to_have_value(re.compile(re.escape(OLD)))
            text = editor.input_value()
            editor.fill(text.replace(OLD, NEW))
            expect(admin.by("preview")).to_contain_text(NEW)
            admin.by("save").click()
            expect(admin.by("save-status")).to_contain_text("revision 2")
            # The shopper's widget was open all along, on the other worker.
            _answered(chat, NEW)

            admin.by("revisions").scroll_into_view_if_needed()
            first_revision = admin.page.locator('[data-testid="revision-row"][data-number="1"]')
            first_revision.get_by_test_id("restore").click()
            expect(admin.by("save-status")).to_contain_text("revision 3")
            _answered(chat, OLD)
            frames.check_all()
            assert not admin.errors, admin.errors
        finally:
            _shoot(request, admin.page, "admin")
            admin.close()
            shopper_page.context.close()


def test_the_test_console_and_gaps_from_question_to_answer(
    browser: Browser, staffed: AisleServer, request: pytest.FixtureRequest
) -> None:
    server = staffed
    chat, _, shopper_page = shopper(browser, server.url)
    admin = _admin(browser, server, bypass_csp=True)
    try:
        # The test console: the answer as a shopper gets it, its grounding and the passages.
        admin.by("nav-test").click()
        admin.by("test-question").fill(QUESTION)
        admin.by("test-ask").click()
        expect(admin.by("test-reply")).to_contain_text(OLD)
        expect(admin.by("test-grounding").first).to_be_visible()
        expect(admin.by("passage-row").first).to_be_visible()
        expect(admin.by("passage-row").first).to_contain_text("Returns and Refunds")
        violations = run_axe(admin.page)
        assert not violations, describe_violations(violations)

        # A question the store cannot answer becomes a gap...
        chat.say(GAP)
        admin.by("nav-gaps").click()
        gap = _gap(admin, GAP)
        expect(gap).to_have_count(1)
        expect(gap.get_by_test_id("gap-status")).to_have_text(re.compile("open", re.I))
        violations = run_axe(admin.page)
        assert not violations, describe_violations(violations)
        # ...and leaves the open gaps once the answer is written.
        gap.get_by_test_id("gap-write").click()
        expect(admin.by("editor")).to_be_visible()
        admin.by("editor").fill(
            "## Gift wrapping\n\nWe offer free gift wrapping on every order: tick 'gift wrap' "
            "at checkout and add a message for the card.\n"
        )
        admin.by("save").click()
        expect(admin.by("save-status")).to_contain_text(re.compile("revision", re.I))
        admin.by("nav-gaps").click()
        admin.by("gap-retest").click()
        gap = _gap(admin, GAP)
        expect(gap.get_by_test_id("gap-status")).not_to_have_text(re.compile("open", re.I))
        chat.say(GAP)
        expect(chat.bot("free gift wrapping").last).to_be_visible()

        admin.by("nav-audit").click()
        expect(admin.by("audit-row").first).to_contain_text("kb.create")
        assert not admin.errors, admin.errors
    finally:
        _shoot(request, admin.page, "admin")
        admin.close()
        shopper_page.context.close()
        # The session's server goes on to other tests as it was.
        for doc_id in _documents_made_here(server):
            httpx.delete(
                f"{server.url}/api/admin/kb/documents/{doc_id}",
                headers={"Authorization": f"Bearer {API_TOKEN}"},
                timeout=30,
            )


def _gap(admin: Console, question: str) -> Locator:
    """The gap headed by `question` (other rows may name it too: a document titled after it
    is offered in each row's list of documents)."""
    heading = admin.page.get_by_role("heading", name=question, exact=True)
    return admin.by("gap-row").filter(has=heading)


def _documents_made_here(server: AisleServer) -> list[str]:
    listed = httpx.get(
        f"{server.url}/api/admin/kb/documents",
        headers={"Authorization": f"Bearer {API_TOKEN}"},
        timeout=30,
    ).json()["documents"]
    return [d["doc_id"] for d in listed if d["source"] == "console" and not d["deleted"]]


def test_a_catalog_import_shows_its_progress_and_the_rows_it_rejected(
    browser: Browser, staffed: AisleServer, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    catalog = tmp_path / "Garden Tools.csv"
    catalog.write_text(
        "sku,title,price\ng1,Ash Garden Rake,24.00\ng2,,9.00\ng3,Steel Trowel,12.50\n"
    )
    admin = _admin(browser, staffed, bypass_csp=True)
    try:
        admin.by("nav-catalog").click()
        admin.by("catalog-file").set_input_files(str(catalog))
        expect(admin.by("catalog-name")).to_have_value("garden-tools")
        expect(admin.by("map-id")).to_have_value("sku")
        expect(admin.by("map-name")).to_have_value("title")
        admin.by("catalog-import").click()
        expect(admin.by("import-summary")).to_contain_text("2 products imported")
        rejected = admin.by("rejected-row")
        expect(rejected).to_have_count(1)
        expect(rejected).to_contain_text("no name")
        violations = run_axe(admin.page)
        assert not violations, describe_violations(violations)
        admin.by("nav-audit").click()
        expect(admin.by("audit-row").first).to_contain_text("garden-tools")
        assert not admin.errors, admin.errors
    finally:
        _shoot(request, admin.page, "admin")
        admin.close()


def test_an_agent_cannot_open_the_admin_console(browser: Browser, staffed: AisleServer) -> None:
    agent = Console(browser, staffed.url)
    try:
        agent.page.goto("/admin")
        agent.by("login-email").fill("dana@shop.example")
        agent.by("login-password").fill(PASSWORD)
        agent.by("login-submit").click()
        expect(agent.by("not-admin")).to_be_visible()
        expect(agent.by("nav-kb")).to_have_count(0)
        expect(agent.by("agent-link")).to_have_attribute("href", re.compile("/agent"))
        refused = agent.page.request.get("/api/admin/kb/documents")
        assert refused.status == 403
    finally:
        agent.close()


def _shoot(request: pytest.FixtureRequest, page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(PlaywrightError):
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{name}.png"))
