"""An operator installs the wheel, not the checkout: the catalogue, the seed data and the
migrations travel inside it, and the first commands work from a directory far from the source."""

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def run(cmd: list[str], cwd: Path, env: dict[str, str], stdin: str = "") -> str:
    done = subprocess.run(
        cmd, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def clean_env(home: Path) -> dict[str, str]:
    """No PYTHONPATH or project settings leak in: the venv sees the wheel only."""
    keep = {"PATH", "HOME", "LANG", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CONFIG_FILE"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{home / 'ilpbot.db'}"
    return env


def test_the_installed_wheel_migrates_seeds_and_chats(tmp_path):
    dist, home = tmp_path / "dist", tmp_path / "home"
    home.mkdir()
    run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
        ROOT,
        dict(os.environ),
    )
    wheel = next(dist.glob("ilpbot-*.whl"))
    shipped = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in shipped if "dist-info" not in name}
    assert tops == {"bot", "handlers", "conversations", "db", "locales"}  # no fakes, bench, tests
    assert {"locales/id/LC_MESSAGES/messages.po", "locales/id/words.json"} <= set(shipped)
    venv.create(tmp_path / "venv", with_pip=True)
    bindir = tmp_path / "venv" / "bin"
    env = clean_env(home)
    pip = [str(bindir / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    run([*pip, "--require-hashes", "-r", str(ROOT / "requirements.txt")], home, env)
    run([*pip, "--no-deps", str(wheel)], home, env)

    ilpbot = str(bindir / "ilpbot")
    run([ilpbot, "db", "upgrade"], home, env)
    seeded = run([ilpbot, "seed"], home, env)
    assert "puskesmas" in seeded.lower()
    screen = run([ilpbot, "console", "--chat", "7"], home, env, stdin="halo\n")
    assert "DAFTAR" in screen  # the greeting, in Indonesian, says how to register
    assert not (home / "locales").exists()
