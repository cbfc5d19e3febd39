"""`assistant bench chat` at the smallest scale, with real servers (redis-server, a Chroma
server, one `assistant serve` worker, the echo) on SQLite; its script, its /proc readings and
its profiler on their own. Timings are never asserted on."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
from rich.console import Console

from assistant.bench.chat import run_benchmark
from assistant.bench.chat_profile import ThreadProfiles
from assistant.bench.chat_script import KINDS, ChatScript
from assistant.bench.proc_stats import cpu_seconds, sample
from assistant.cli.bench_chat import chat_notes, chat_table, first_reply_table, kinds_table
from assistant.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "knowledge_base" / "store" / "db.json"


@pytest.mark.slow
def test_one_and_three_chats_back_to_back_and_paced(nlu_model_path: Path, tmp_path: Path) -> None:
    settings = load_settings(
        ROOT / "config.yml", environ={}, overrides={"nlu.model_path": str(nlu_model_path)}
    )
    figures = run_benchmark(
        settings,
        chats=(1, 3),
        pace_s=0.5,
        duration_s=2.0,
        idle_chats=20,
        database_url="sqlite://",
        logs=tmp_path / "logs",
        profile=tmp_path / "profile.json",
    )
    assert json.loads(json.dumps(figures)) == figures  # one JSON object, as --json prints
    assert figures["database"] == "sqlite"
    assert [(row["chats"], row["mode"]) for row in figures["phases"]] == [
        (1, "back-to-back"),
        (1, "paced"),
        (3, "back-to-back"),
        (3, "paced"),
    ]
    for row in figures["phases"]:
        for name in ("assistant", "echo"):
            phase = row[name]
            assert phase["turns"] > 0 and phase["errors"] == 0, (name, phase["error_kinds"])
            assert phase["turns_per_s"] > 0 and 0 < phase["p50_ms"] <= phase["p99_ms"]
            assert phase["cpu_ms_per_turn"] is not None and phase["cpu_ms_per_turn"] >= 0
            assert phase["rss_mb"] > 0 and phase["threads"] >= 1
            assert set(phase["by_kind"]) <= set(KINDS)
        mine = row["assistant"]
        assert mine["cpu_ms_per_turn"] > 0  # a turn costs the server some CPU
        assert set(mine["others_cpu_ms_per_turn"]) == {"redis", "chroma"}
        assert mine["server_errors"]["lines"] == 0, mine["server_errors"]
        assert row["echo"]["others_cpu_ms_per_turn"] == {}
    # Back to back, one chat goes through the script's first turns in order.
    first_phase = figures["phases"][0]["assistant"]
    assert "greeting" in first_phase["by_kind"]
    # The assistant answers; the echo says the shopper's words back.
    assert first_phase["samples"]["greeting"]["reply"] != first_phase["samples"]["greeting"]["said"]
    echo_sample = figures["phases"][0]["echo"]["samples"]["greeting"]
    assert echo_sample["reply"] == echo_sample["said"]

    first = figures["first_reply"]
    assert figures["ready_s"] > 0 and figures["idle_cpu_ms_per_s"] >= 0
    for name in ("assistant", "echo"):
        assert list(first[name]["by_kind"]) == list(KINDS)
        for found in first[name]["by_kind"].values():
            assert found["first_ms"] > 0 and found["warm_ms"] > 0
        assert first[name]["first_ms"] == first[name]["by_kind"]["greeting"]["first_ms"]

    idle = figures["idle"]
    for name in ("assistant", "echo"):
        assert idle[name]["chats"] == 20 and idle[name]["errors"] == {}
        assert idle[name]["rss_mb"] > 0

    profile = figures["profile"]
    assert profile["path"] == str((tmp_path / "profile.json").resolve())
    assert profile["windows"] == 4  # the worker's four phases, nothing else
    assert profile["inclusive"] and profile["own"]
    assert any("assistant/" in row["function"] for row in profile["inclusive"])
    assert not any("chat_profile" in row["function"] for row in profile["own"])

    console = Console(width=200, record=True)
    for table in (chat_table(figures), kinds_table(figures), first_reply_table(figures)):
        console.print(table)
    for line in chat_notes(figures):
        console.print(line)
    rendered = console.export_text()
    assert "echo (reference)" in rendered and "back to back" in rendered
    assert "paced 0.5 s" in rendered and "20 idle chats" in rendered


def test_each_conversation_signs_in_as_the_customer_whose_order_it_asks_about() -> None:
    script = ChatScript.from_seed(SEED)
    store = json.loads(SEED.read_text(encoding="utf-8"))
    emails = {user["email"]: user for user in store["users"].values()}
    said = set()
    for number in range(40):
        lines = script.conversation(number)
        assert [line.kind for line in lines] == list(KINDS)
        user = emails[lines[2].text]
        assert lines[1].text == f"where is my order {user['orders'][-1]}?"
        said.update(line.text for line in lines)
    # Words vary from one conversation to the next (the server caches embeddings by text).
    assert len(said) > 3 * 40  # orders, emails and searches never repeat in 40
    assert script.conversation(7) == ChatScript.from_seed(SEED).conversation(7)


def test_proc_readings_of_this_process() -> None:
    before = cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.05
    while time.process_time() < deadline:
        pass
    found = sample(os.getpid())
    assert found.cpu_s > before and found.rss_mb > 0 and found.peak_rss_mb >= found.rss_mb
    assert found.threads >= 1


def _work() -> int:
    return sum(range(20000))


def test_the_profiles_count_each_thread_only_inside_the_windows() -> None:
    profiles = ThreadProfiles()
    profiles.start()
    try:
        _work()  # before any window: not counted
        profiles.begin()
        worker = threading.Thread(target=lambda: [_work() for _ in range(5)])
        worker.start()
        worker.join()
        profiles.end()
        _work()  # after: not counted
    finally:
        threading.setprofile(None)  # type: ignore[arg-type]
        for profile in profiles.profiles:
            profile.disable()
    report = profiles.report(lambda code: code.co_qualname, 40)
    calls = {row["function"]: row["calls"] for row in report["inclusive"]}
    assert calls["_work"] == 5  # the new thread's five, not the main thread's two
    assert report["windows"] == 1 and report["threads"] == 2
