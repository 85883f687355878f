"""`ilpbot run` as a real process against the fake Bot API: killed with SIGKILL in the middle
of a registration, restarted, and the conversation goes on with nothing lost or doubled; and
with WhatsApp configured too, both channels answered by the one process."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from db.database import Database
from fakes.graph_api import sign, wa_envelope, wa_text
from fakes.server import free_port

from tests.telegram_support import TOKEN, Person, until
from tests.whatsapp_support import PHONE_ID, SECRET

pytestmark = pytest.mark.slow  # kills and restarts real ilpbot processes

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def environment(tmp_path, fake_telegram) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_"))}
    return env | {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'ilpbot.db'}",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": fake_telegram.url,
        "LOG_LEVEL": "INFO",
    }


def ilpbot(env, tmp_path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "bot.cli", *args]
    return subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )


def start(env, tmp_path, log: Path) -> subprocess.Popen:
    out = log.open("a")
    command = [sys.executable, "-m", "bot.cli", "run"]
    return subprocess.Popen(command, env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)


async def test_a_killed_bot_picks_up_the_conversation_where_it_was(
    environment, tmp_path, fake_telegram
):
    tg, log = fake_telegram, tmp_path / "ilpbot.log"
    created = ilpbot(
        environment,
        tmp_path,
        "invite",
        "create",
        "--role",
        "petugas",
        "--puskesmas",
        "Sumber Urip",
        "--json",
    )
    assert created.returncode == 0, created.stderr
    invite = json.loads(created.stdout)
    assert invite["link"] == f"https://t.me/ilp_test_bot?start={invite['code']}"  # from getMe

    db = Database(environment["DATABASE_URL"])
    siti = Person(tg, db, 501)
    bot = start(environment, tmp_path, log)
    try:
        assert await siti.send(f"/start {invite['code']}") == ["Siapa nama lengkap Bapak/Ibu?"]

        bot.send_signal(signal.SIGKILL)  # between two answers
        bot.wait()
        name = tg.push_message(501, "Siti Aminah")  # written while the bot is down
        bot = start(environment, tmp_path, log)
        replies = await siti.deliver_raw(name)
        assert replies[-1].startswith(
            "Siti Aminah, kode ini mendaftarkan Bapak/Ibu sebagai petugas"
        )

        # The button is read before the freeze: a bot frozen mid-transaction holds SQLite's
        # write lock, and the test must not wait on it.
        message_id, buttons = await siti.question()
        bot.send_signal(signal.SIGSTOP)  # frozen: the next press is fetched, never committed
        pressed = _press_without_waiting(siti, message_id, buttons, "Ya")
        bot.send_signal(signal.SIGKILL)
        bot.wait()
        bot = start(environment, tmp_path, log)
        replies = await siti.deliver_raw(pressed)
        assert replies[0].startswith("Selamat datang, Siti Aminah!")
    finally:
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(timeout=20) == 0, log.read_text()[-3000:]
        await db.dispose()

    texts = tg.texts(501)
    assert len(texts) == len(set(texts)) == 4  # question, confirmation, welcome, menu: once each
    assert tg.violations == []


def _press_without_waiting(
    person: Person, message_id: int, buttons: list[dict], label: str
) -> dict:
    data = next(b["data"] for b in buttons if b["label"] == label)
    return person.fake.push_callback(person.chat_id, data, message_id)


async def test_ilpbot_run_with_both_channels_answers_telegram_and_whatsapp(
    environment, tmp_path, fake_telegram, graph
):
    port = free_port()
    env = environment | {
        "PORT": str(port),
        "WHATSAPP_ACCESS_TOKEN": "test-token",
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_ID,
        "WHATSAPP_APP_SECRET": SECRET,
        "WHATSAPP_VERIFY_TOKEN": "verify-token-for-tests",
        "WHATSAPP_API_URL": graph.base_url,
    }
    log = tmp_path / "ilpbot.log"
    bot = start(env, tmp_path, log)
    try:
        fake_telegram.push_message(701, "halo")  # Telegram: fetched by long polling
        await until(lambda: fake_telegram.texts(701), what="the Telegram reply")
        assert "kode undangan" in fake_telegram.texts(701)[0]

        body = json.dumps(wa_envelope([wa_text("6281200000701", "halo")])).encode()
        headers = {"content-type": "application/json", "X-Hub-Signature-256": sign(body, SECRET)}
        url = f"http://127.0.0.1:{port}/whatsapp/webhook"
        async with httpx.AsyncClient() as client:  # WhatsApp: its webhook, in the same process
            await until(lambda: _answers(client, url), what="the WhatsApp webhook")
            posted = await client.post(url, content=body, headers=headers)
        assert posted.status_code == 200
        await until(lambda: graph.messages("6281200000701"), what="the WhatsApp reply")
        assert "kode undangan" in json.dumps(graph.messages("6281200000701")[0])
    finally:
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(timeout=20) == 0, log.read_text()[-3000:]


async def _answers(client: httpx.AsyncClient, url: str) -> bool:
    try:
        await client.get(url)
    except httpx.TransportError:
        return False
    return True
