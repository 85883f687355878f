"""A newcomer's first minute: `make run` (no channel configured) serves the dashboard on
127.0.0.1 beside the console chat and prints a sign-in link for the demo Dinkes user."""

import os
import subprocess
import sys
import time

import httpx
import pytest
from dashboard_steps import LINK, free_port

pytestmark = pytest.mark.slow


def test_make_run_prints_a_link_that_opens_the_dashboard(tmp_path):
    port = free_port()
    env = os.environ | {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"}
    env |= {"PORT": str(port), "PUBLIC_URL": "", "SECRET_KEY": ""}
    demo = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        link = None
        deadline = time.monotonic() + 60
        while link is None and time.monotonic() < deadline:
            line = demo.stdout.readline()
            assert line, "the demo ended before printing a link"
            found = LINK.search(line)
            link = found.group(0) if found else None
        assert link and link.startswith(f"http://127.0.0.1:{port}/dasbor/masuk?t=")
        for _ in range(100):  # the server starts beside the console
            try:
                with httpx.Client(follow_redirects=True) as browser:
                    page = browser.get(link)
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert page.status_code == 200 and "Ringkasan" in page.text
        assert "Dinkes (demo)" in page.text
    finally:
        demo.stdin.close()
        demo.wait(timeout=30)
