"""`ilpbot web` with WEB_CONCURRENCY: several worker processes on one port, as Heroku/Dokku run it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from fakes.server import free_port

from tests.telegram_support import SCRAPER

pytestmark = pytest.mark.slow  # starts real ilpbot web workers

ILPBOT = str(Path(sys.executable).parent / "ilpbot")


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_"))}
    return env | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}",
        "TELEGRAM_BOT_TOKEN": "123456:TEST",
        "TELEGRAM_WEBHOOK_SECRET": "secret-for-the-tests",
        "METRICS_TOKEN": "metrics-token-for-tests",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def workers_of(pid: int) -> list[int]:
    """The supervisor's worker processes (not multiprocessing's resource tracker)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [
        int(child)
        for child in children
        if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


def healthy(port: int, timeout: float = 60.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_web_concurrency_runs_that_many_workers_on_one_port(tmp_path):
    port = free_port()
    env = environment(tmp_path, PORT=str(port), WEB_CONCURRENCY="2")
    server = subprocess.Popen([ILPBOT, "web"], env=env, cwd=tmp_path)
    try:
        answers = [healthy(port) for _ in range(5)]
        assert [a.json() for a in answers] == [{"status": "ok"}] * 5
        assert len(workers_of(server.pid)) == 2
        webhook = httpx.post(f"http://127.0.0.1:{port}/telegram/webhook", json={"update_id": 1})
        assert webhook.status_code == 403  # each worker checks the secret
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0


def test_workers_refuse_to_deliver_the_outbox_too(tmp_path):
    env = environment(tmp_path, WEB_CONCURRENCY="2")
    done = subprocess.run(
        [ILPBOT, "web", "--sender"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "WEB_CONCURRENCY=1" in done.stdout


def test_workers_refuse_an_incomplete_channel_configuration(tmp_path):
    env = environment(tmp_path, WEB_CONCURRENCY="2", TELEGRAM_WEBHOOK_SECRET="")
    done = subprocess.run([ILPBOT, "web"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2
    assert "TELEGRAM_WEBHOOK_SECRET" in done.stdout


def test_metrics_from_any_worker_count_every_worker(tmp_path):
    port = free_port()
    env = environment(tmp_path, PORT=str(port), WEB_CONCURRENCY="2")
    server = subprocess.Popen([ILPBOT, "web"], env=env, cwd=tmp_path)
    try:
        healthy(port)
        for _ in range(20):  # a new connection each: the workers take them in turn as they can
            forged = httpx.post(f"http://127.0.0.1:{port}/telegram/webhook", json={"update_id": 1})
            assert forged.status_code == 403
        for _ in range(5):  # whichever worker answers the scrape
            scrape = httpx.get(f"http://127.0.0.1:{port}/metrics", headers=SCRAPER, timeout=5).text
            assert 'ilpbot_refused_total{channel="telegram",why="bad_secret"} 20.0' in scrape
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
