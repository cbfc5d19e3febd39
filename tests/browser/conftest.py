"""The browser tests' fixtures: one real server per session, one Chromium per module, a fresh
browser context per test, every WebSocket frame checked against the protocol's schema at the end of
each test, and a screenshot of every page as a test artifact (test-artifacts/browser/).

Debian's Chromium (/usr/bin/chromium) is driven by Playwright; no browser is downloaded. When
it is missing the tests fail, they are not skipped.
"""

from __future__ import annotations

import shutil
from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.browser.harness import (
    ARTIFACTS,
    AXE,
    CHROMIUM,
    TIMEOUT_MS,
    AisleServer,
    Chat,
    FrameLog,
    Pages,
    screenshot_name,
)

expect.set_options(timeout=TIMEOUT_MS)

# Whether the test itself failed, for its teardown.
CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def aisle_server(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[AisleServer]:
    """`assistant serve` on a free port: a fresh SQLite database migrated and seeded with the
    demo store, the session's trained NLU model, the knowledge base ingested; its own origin
    allowed. The server logs are copied to test-artifacts/browser/ at the end."""
    # This run's artifacts only.
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    server = AisleServer(tmp_path_factory.mktemp("browser-server"))
    # The CLI prepares the data in its own processes while this one trains the session's
    # NLU model (tests/fixtures/app.py), unless another test has already.
    with ThreadPoolExecutor(max_workers=1) as pool:
        data = pool.submit(server.prepare_data)
        model: Path = request.getfixturevalue("nlu_model_path")
        data.result()
    server.install_model(model)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        server.keep_logs("server-")


@pytest.fixture
def server(aisle_server: AisleServer) -> Iterator[AisleServer]:
    """The session's server, running (a test that stopped it gets it started again after)."""
    if not aisle_server.running:
        aisle_server.start()
    yield aisle_server
    if not aisle_server.running:
        aisle_server.start()


# Playwright's sync API keeps an asyncio loop marked as running in this thread while it is
# started, which breaks every later test that calls asyncio.run(): so one driver and one
# Chromium per module, stopped before the rest of the suite goes on.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Debian's Chromium is not installed ({CHROMIUM} is missing): the browser tests "
            "need it (apt-get install chromium); they never download a browser",
            pytrace=False,
        )
    if not AXE.is_file():
        pytest.fail(
            f"axe-core is not installed ({AXE} is missing): run `make install-dev`, which runs "
            "`npm ci` in web_widget/",
            pytrace=False,
        )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
    yield browser
    browser.close()


@pytest.fixture
def pages(browser: Browser, server: AisleServer, request: pytest.FixtureRequest) -> Iterator[Pages]:
    """Opens pages (`pages.new(**context_options)`); at the end of the test: a screenshot of
    each, then every WebSocket frame checked against docs/protocol.schema.json (at least one
    each way), and no uncaught error in any page."""
    opened = Pages(browser, server.url)
    yield opened
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = screenshot_name(request.node.nodeid)
    failures = []
    for number, (context, frames, errors) in enumerate(opened.contexts):
        suffix = f"-{number}" if number else ""
        for page_number, page in enumerate(context.pages):
            page_suffix = f"{suffix}-p{page_number}" if page_number else suffix
            try:
                # The viewport (the widget is fixed in it), not the whole long store page.
                page.screenshot(path=str(ARTIFACTS / f"{name}{page_suffix}.png"))
            except PlaywrightError as error:  # a crashed page: the test says why already
                print(f"no screenshot of {page.url}: {error}")
        frames.dump(ARTIFACTS / f"{name}{suffix}.frames.json")
        context.close()
        if errors:
            failures.append("uncaught errors in the page:\n" + "\n".join(errors))
        if request.node.stash.get(CALL_FAILED, False):
            # The test failed already (maybe before the widget connected): only the frames
            # that were exchanged are checked, however few.
            failures.extend(frames.problems())
            continue
        try:
            frames.check_all()
        except AssertionError as error:
            failures.append(str(error))
    assert not failures, "\n".join(failures)


@pytest.fixture
def page_and_frames(pages: Pages) -> tuple[Page, FrameLog]:
    return pages.new(viewport={"width": 1280, "height": 800})


@pytest.fixture
def page(page_and_frames: tuple[Page, FrameLog]) -> Page:
    return page_and_frames[0]


@pytest.fixture
def frames(page_and_frames: tuple[Page, FrameLog]) -> FrameLog:
    return page_and_frames[1]


@pytest.fixture
def chat(page: Page, frames: FrameLog) -> Chat:
    """The demo store page (`/`) with the widget on it, closed."""
    page.goto("/")
    widget = Chat(page, frames)
    widget.launcher.wait_for()
    return widget
