"""The fault scenarios: what the bot does when deliveries repeat, the process dies (also in the
middle of a photo's download: fakes/fault_media.py), the Bot API or the database fails, and two
workers take one chat at the same moment.

Every scenario drives real `ilpbot` processes (`web` for the webhook, `run` for long polling,
`clock` for the sender) against the fake Bot API over HTTP, returns its figures and an `ok`
verdict, and takes a size: bench/faults.py (`make faults`) runs them full size (FULL),
tests/test_faults.py small (SMALL). The PostgreSQL restart needs a local cluster and root
(`pg_ctlcluster`).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import shutil
import subprocess
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from sqlalchemy import func, select

from db.database import Database
from db.models import AuditEvent, Outbox, Puskesmas
from db.reports import ReportValue
from db.totals import TotalAllDay
from fakes.databases import queue_broadcast
from fakes.fault_media import media_kill_restart
from fakes.fault_support import (
    NO_ANSWER,
    Process,
    Webhook,
    WebWorkers,
    button_data,
    environment,
    http_get,
    over,
    press_update,
    processed_updates,
    puskesmas_ids,
    quick_text,
    rawat_inap,
    register,
    replies_per_chat,
    report_values,
    slots,
    stored_reports,
    text_update,
    tidy,
    until_drained,
    work_folder,
)
from fakes.telegram_api import SEND_METHODS, FakeBotApi
from handlers.people.invites import create_invite

Figures = dict[str, Any]


def answered(answers: Counter[int], delivered: list[bool]) -> Figures:
    """How the webhook answered: 5xx (0: nothing within the timeout) make the client post the
    update again, as Telegram does; `undelivered` updates never got their 200."""
    other = {status: n for status, n in answers.items() if status != 200}
    figures: Figures = {"posts": sum(answers.values()), "retried": sum(other.values())}
    if other:
        figures["retried_by_status"] = dict(sorted(other.items()))
    figures["undelivered"] = delivered.count(False)
    return figures


# --- 1. the same update delivered twice ----------------------------------------------------


async def duplicated_deliveries(url: str, size: int = 1000, seed: int = 1) -> Figures:
    """`size` updates — quick report entries and the Kirim presses that file them — each
    delivered twice to two web processes: at the same moment, right after the first answer,
    or late (after the whole run). Every report is counted once, in the reports and in the
    running totals, and every update is answered once."""
    rng = random.Random(seed)
    db, fake, folder = Database(url), FakeBotApi().start(), work_folder()
    answers: Counter[int] = Counter()
    delivered: list[bool] = []
    late: list[dict] = []
    modes: Counter[str] = Counter()
    try:
        pkms = await puskesmas_ids(db)
        chats = {90_000 + n: pkm for n, pkm in enumerate(pkms)}  # one petugas per puskesmas
        await register(db, chats)
        planned = slots(size // 2, pkms)
        chat_of = {pkm: chat for chat, pkm in chats.items()}
        started = time.perf_counter()
        async with WebWorkers(url, fake.url, 2, folder) as web:

            async def twice(hooks: list[Webhook], update: dict) -> None:
                mode = rng.choice(("together", "after", "late"))
                modes[mode] += 1
                if mode == "together":
                    done = await asyncio.gather(*(h.deliver(update, answers) for h in hooks))
                    delivered.extend(done)
                    return
                delivered.append(await hooks[0].deliver(update, answers))
                if mode == "after":
                    delivered.append(await hooks[1].deliver(update, answers))
                else:
                    late.append(update)

            async def reporter(chat: int, its: list[tuple[int, str, Any]]) -> None:
                hooks = [Webhook(port) for port in rng.sample(web.ports, 2)]
                for _pkm, klaster, day in its:
                    await twice(hooks, text_update(chat, quick_text(klaster, day)))
                    data = await button_data(db, chat, "Kirim")
                    if data is not None:
                        await twice(hooks, press_update(chat, data))
                for hook in hooks:
                    hook.close()

            by_chat: dict[int, list] = defaultdict(list)
            for slot in planned:
                by_chat[chat_of[slot[0]]].append(slot)
            await asyncio.gather(*(reporter(chat, its) for chat, its in by_chat.items()))
            hook = Webhook(web.ports[0])
            for update in late:  # Telegram retrying long after: the conversation moved on
                delivered.append(await hook.deliver(update, answers))
            hook.close()
        took = time.perf_counter() - started
        return tidy(
            folder, await _count_once(db, planned, chats, (answers, delivered), modes, took)
        )
    finally:
        fake.stop()
        await db.dispose()


async def _count_once(db, planned, chats, posted, modes, took) -> Figures:
    expected_totals: Counter[str] = Counter()
    inpatient = await rawat_inap(db)
    for pkm, klaster, _day in planned:
        expected_totals.update(report_values(klaster, pkm in inpatient))
    async with db.transaction() as session:
        rows = (await session.execute(select(TotalAllDay.indicator, TotalAllDay.total))).all()
    totals: Counter[str] = Counter()
    for indicator, total in rows:
        totals[indicator] += total
    reports = await stored_reports(db)
    per_chat: Counter[int] = Counter()
    for pkm, _klaster, _day in planned:
        per_chat[next(c for c, p in chats.items() if p == pkm)] += 3  # header, summary, thanks
    doubled, lost = over(await replies_per_chat(db), dict(per_chat))
    updates = 2 * len(planned)
    figures = {
        "updates": updates,
        "deliveries": len(posted[1]),
        "together/after/late": f"{modes['together']}/{modes['after']}/{modes['late']}",
        **answered(*posted),
        "processed": await processed_updates(db),
        "reports_filed": len(planned),
        "reports_counted": len(reports),
        "totals_match": +totals == +expected_totals,
        "answers_doubled": doubled,
        "answers_lost": lost,
        "seconds": round(took, 1),
    }
    figures["ok"] = (
        figures["undelivered"] == 0
        and figures["processed"] == updates
        and len(reports) == len(planned)
        and all(r.version == 1 for r in reports)
        and figures["totals_match"]
        and doubled == lost == 0
    )
    return figures


# --- 2. kill -9 of the polling bot ---------------------------------------------------------

EXPECTED = (  # what each person reads, in order: /start, name, Ya, the report, Kirim
    "Siapa nama lengkap Bapak/Ibu?",
    "{name}, kode ini mendaftarkan Bapak/Ibu",
    "Selamat datang, {name}!",
    "Apa yang ingin Bapak/Ibu lakukan?",
    "Laporan ",  # the form's header: "Laporan Klaster 2 …", "Laporan Lintas Klaster …"
    "Mohon periksa jawaban Bapak/Ibu",
    "Terima kasih! Laporan Anda tersimpan",
)


def person_name(n: int) -> str:
    """Letters only, as the registration asks: 12 -> "Bidan Bc"."""
    return "Bidan " + "".join(chr(ord("a") + int(d)) for d in str(n)).capitalize()


class Inbox:
    """What the fake Bot API delivered, per chat (read incrementally: the fake keeps every
    call, and polling it per person would cost more than the bot)."""

    def __init__(self, fake: FakeBotApi) -> None:
        self.fake, self.seen = fake, 0
        self.texts: dict[int, list[tuple[str, float, dict | None]]] = defaultdict(list)

    def refresh(self) -> None:
        calls = self.fake.calls[self.seen :]
        self.seen += len(calls)
        for call in calls:
            if call.method in SEND_METHODS and call.status == 200:
                text = call.params.get("text") or call.params.get("caption") or ""
                markup = call.params.get("reply_markup")
                self.texts[call.params["chat_id"]].append((text, call.at, markup))

    async def wait(self, chat: int, prefixes: list[str], timeout: float) -> bool:
        """Until every text expected so far arrived (a resent copy must not count)."""
        deadline = time.monotonic() + timeout
        while not all(any(t.startswith(p) for t, _a, _m in self.texts[chat]) for p in prefixes):
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05)
        return True

    def button(self, chat: int, label: str) -> str | None:
        for _text, _at, markup in reversed(self.texts[chat]):
            for row in (markup or {}).get("inline_keyboard", []):
                for button in row:
                    if button["text"] == label:
                        return button["callback_data"]
        return None


def keyboard_message_id(fake: FakeBotApi, chat: int, data: str) -> int:
    """The id Telegram gave the message that carries the button (a press names it)."""
    with fake._lock:  # the fake's own record of sent messages
        ids = [
            message_id
            for (c, message_id), message in fake._bot_messages.items()
            if c == chat and data in json.dumps(message.get("reply_markup") or {})
        ]
    return max(ids, default=1)


async def kill_and_restart(
    url: str, conversations: int = 100, kills: int | None = None, seed: int = 2
) -> Figures:
    """`conversations` people register with an invitation and file a report, all at once, by
    long polling, while `ilpbot run` is killed with SIGKILL at random moments and restarted
    at once. Every conversation must finish, every answer arrive, none twice."""
    rng = random.Random(seed)
    kills = kills if kills is not None else max(2, conversations // 5)
    db, fake, folder = Database(url), FakeBotApi().start(), work_folder()
    inbox = Inbox(fake)
    bot = Process("run", environment(url, fake.url), folder)
    kill_times: list[float] = []
    waits: list[float] = []
    finished = asyncio.Event()
    try:
        pkms = await puskesmas_ids(db)
        planned = slots(conversations, pkms)
        codes = await _invites(db, [pkm for pkm, _k, _d in planned])
        bot.start()

        async def refresher() -> None:
            while not finished.is_set():
                inbox.refresh()
                await asyncio.sleep(0.05)

        async def killer() -> None:
            await asyncio.sleep(rng.uniform(2.0, 4.0))
            while len(kill_times) < kills:
                bot.kill()
                kill_times.append(time.monotonic())
                bot.start()
                await asyncio.sleep(rng.uniform(1.0, 5.0))

        async def person(n: int) -> bool:
            chat, (_pkm, klaster, day) = 70_000 + n, planned[n]
            await asyncio.sleep(rng.uniform(0, 3))  # people start at different moments
            script: list[tuple[str, str | None, int]] = [
                (f"/start {codes[n]}", None, 1),
                (person_name(n), None, 1),
                ("", "Ya", 2),
                (quick_text(klaster, day), None, 2),
                ("", "Kirim", 1),
            ]
            expected, read = [e.format(name=person_name(n)) for e in EXPECTED], 0
            for text, label, replies in script:
                if label is None:
                    fake.push_message(chat, text, first_name="Bidan")
                else:
                    data = inbox.button(chat, label)
                    if data is None:
                        return False
                    fake.push_callback(chat, data, keyboard_message_id(fake, chat, data))
                read += replies
                asked = time.monotonic()
                if not await inbox.wait(chat, expected[:read], timeout=180):
                    return False
                waits.append(time.monotonic() - asked)
            return True

        refreshing, killing = asyncio.create_task(refresher()), asyncio.create_task(killer())
        started = time.perf_counter()
        done = await asyncio.gather(*(person(n) for n in range(conversations)))
        took = time.perf_counter() - started
        killing.cancel()
        # Until every send is recorded: a message a kill left unrecorded goes again now.
        drained = await until_drained(db, timeout=90)
        await asyncio.sleep(1.0)
        finished.set()
        await refreshing
        clean_stop = bot.stop() == 0
        inbox.refresh()
        figures = await _conversation_figures(db, inbox, planned, kill_times)
        figures |= {
            "conversations": conversations,
            "kills": len(kill_times),
            "finished": sum(done),
            "max_wait_s": round(max(waits, default=0.0), 1),
            "clean_stop": clean_stop,
            "seconds": round(took, 1),
        }
        figures["ok"] = (
            drained
            and figures["finished"] == conversations
            and figures["lost"] == figures["doubled"] == figures["unexpected"] == 0
            and clean_stop
        )
        if not figures["ok"]:
            figures["log"] = bot.tail()
        return tidy(folder, figures)
    finally:
        finished.set()
        bot.stop()
        fake.stop()
        await db.dispose()


async def _invites(db: Database, puskesmas: list[int]) -> list[str]:
    codes = []
    async with db.transaction() as session:
        names = dict((await session.execute(select(Puskesmas.id, Puskesmas.nama))).all())
        for pkm in puskesmas:
            created = await create_invite(
                session, datetime.now(UTC), "petugas", puskesmas=names[pkm]
            )
            codes.append(created.code)
    return codes


async def _conversation_figures(db, inbox: Inbox, planned, kill_times) -> Figures:
    """Each expected answer once. A text delivered twice from one outbox row whose first copy
    went out before a kill and the second after is a resend (the kill fell between the send
    and its record: delivery is at-least-once); anything else twice is a double."""
    rows: dict[tuple[int, str], int] = Counter()
    stmt = select(Outbox.chat_id, Outbox.payload).where(Outbox.channel == "telegram")
    async with db.transaction() as session:
        for chat, payload in (await session.execute(stmt)).all():
            rows[(int(chat), payload.get("text") or "")] += 1
    lost = doubled = resent = unexpected = 0
    for n in range(len(planned)):
        chat = 70_000 + n
        expected = [e.format(name=person_name(n)) for e in EXPECTED]
        seen: dict[int, list[tuple[str, float]]] = defaultdict(list)
        for text, at, _markup in inbox.texts[chat]:
            index = next((i for i, e in enumerate(expected) if text.startswith(e)), None)
            if index is None:
                unexpected += 1
            else:
                seen[index].append((text, at))
        for index in range(len(expected)):
            copies = seen.get(index, [])
            lost += not copies
            for (text, first), (_t, again) in zip(copies, copies[1:], strict=False):
                killed_between = any(first <= k <= again for k in kill_times)
                if rows[(chat, text)] == 1 and killed_between:
                    resent += 1
                else:
                    doubled += 1
    total = len(planned) * len(EXPECTED)
    return {
        "answers": total,
        "lost": lost,
        "doubled": doubled,
        "resent_after_kill": resent,
        "unexpected": unexpected,
        "processed": await processed_updates(db),
    }


# --- 3. the Bot API fails: 5xx for a while, then 429 storms ---------------------------------


async def bot_api_outage(
    url: str,
    chats: int = 100,
    per_chat: int = 10,
    outage: float = 6.0,
    storm: float = 12.0,
    storm_share: float = 1.0,
) -> Figures:
    """`chats` × `per_chat` messages in the outbox; `ilpbot clock` delivers them while the Bot
    API answers every send with 502 for `outage` seconds, then 429 (retry after 1 s) to
    `storm_share` of them for `storm` seconds. Each must arrive once, in order per chat."""
    db, fake, folder = Database(url), FakeBotApi().start(), work_folder()
    clock = Process("clock", environment(url, fake.url), folder)
    chat_ids = [60_000 + n for n in range(chats)]
    try:
        await _fill_outbox(db, chat_ids, per_chat)
        fake.fail_next("sendMessage", 502, times=1_000_000)
        clock.start()
        deadline = time.monotonic() + 60
        while not any(c.status == 502 for c in fake.calls):  # the sender is up and refused
            if time.monotonic() > deadline:
                raise RuntimeError(f"ilpbot clock sent nothing: {clock.tail()}")
            await asyncio.sleep(0.05)
        started = time.monotonic()
        await asyncio.sleep(outage)
        fake.clear_faults()
        fake.storm_429(probability=storm_share, retry_after=1, seed=3)
        await asyncio.sleep(storm)
        fake.clear_faults()
        calm = time.monotonic()
        drained = await until_drained(db, timeout=300)
        clean_stop = clock.stop() == 0
        figures = await _delivery_figures(
            db, fake, chat_ids, per_chat, started, calm, drained, clean_stop, clock
        )
        return tidy(folder, figures)
    finally:
        clock.stop()
        fake.stop()
        await db.dispose()


async def _fill_outbox(db: Database, chat_ids: list[int], per_chat: int) -> None:
    # interleaved: chats share every claimed batch
    texts = [f"Pesan {k} dari {per_chat}" for k in range(1, per_chat + 1)]
    await queue_broadcast(db, [(chat, text) for text in texts for chat in chat_ids])


async def _delivery_figures(
    db, fake, chat_ids, per_chat, started, calm, drained, clean_stop, clock
) -> Figures:
    sends = fake.sent()
    by_chat: dict[int, list[int]] = defaultdict(list)
    for call in sends:
        by_chat[call.params["chat_id"]].append(
            int(re.match(r"Pesan (\d+)", call.params["text"])[1])
        )
    delivered = sum(len(set(v)) for v in by_chat.values())
    out_of_order = sum(v != sorted(v) for v in by_chat.values())
    async with db.transaction() as session:
        statuses = dict(
            (
                await session.execute(select(Outbox.status, func.count()).group_by(Outbox.status))
            ).all()
        )
    last = max((c.at for c in sends), default=calm)
    figures = {
        "messages": len(chat_ids) * per_chat,
        "refused_5xx": sum(1 for c in fake.calls if c.status >= 500),
        "refused_429": sum(1 for c in fake.calls if c.status == 429),
        "delivered": delivered,
        "doubled": len(sends) - delivered,
        "lost": len(chat_ids) * per_chat - delivered,
        "failed_rows": statuses.get("failed", 0),
        "out_of_order_chats": out_of_order,
        "limit_violations": len(fake.rate_violations()),
        "faults_s": round(calm - started, 1),
        "drained_after_faults_s": round(max(0.0, last - calm), 1),
        "clean_stop": clean_stop,
    }
    figures["ok"] = (
        drained
        and clean_stop
        and figures["lost"] == figures["doubled"] == figures["failed_rows"] == 0
        and out_of_order == 0
        and figures["limit_violations"] == 0
    )
    if not figures["ok"]:
        figures["log"] = clock.tail()
    return figures


# --- 4. PostgreSQL restarted under load ----------------------------------------------------


def pg_restart_command() -> list[str] | None:
    """`pg_ctlcluster … restart` for the local cluster, or None when this machine can't."""
    clusters = Path("/etc/postgresql")
    if not shutil.which("pg_ctlcluster") or not clusters.is_dir():
        return None
    versions = sorted(p.name for p in clusters.iterdir() if (p / "main").is_dir())
    if not versions:
        return None
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "restart"]


def restart_skip_reason(url: str) -> str | None:
    if not url.startswith("postgresql"):
        return "PostgreSQL only"
    if urlsplit(url.replace("+asyncpg", "")).hostname not in ("127.0.0.1", "localhost", "::1"):
        return "the PostgreSQL server is not on this machine"
    if pg_restart_command() is None:
        return "no local cluster to restart (pg_ctlcluster, /etc/postgresql)"
    return None


async def pg_accepts(url: str, timeout: float = 60.0) -> float | None:
    """Waits until PostgreSQL accepts connections; the monotonic time it did, or None."""
    dsn = url.replace("postgresql+asyncpg", "postgresql")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = await asyncpg.connect(dsn, timeout=1)
        except (OSError, asyncpg.PostgresError, TimeoutError):
            await asyncio.sleep(0.05)
            continue
        await conn.close()
        return time.monotonic()
    return None


async def postgres_restart(url: str, updates: int = 1500, lanes: int = 16) -> Figures:
    """A web process takes updates from `lanes` connections (each retried until it answers
    200, as Telegram does) and `ilpbot clock` sends the replies, while PostgreSQL is restarted.
    While it is down the webhook answers 5xx — never 2xx/4xx or nothing — and /healthz 503;
    then both serve again by themselves, every update handled and answered once."""
    skip = restart_skip_reason(url)
    if skip:
        return {"skipped": skip, "ok": True}
    db, fake, folder = Database(url), FakeBotApi().start(), work_folder()
    clock = Process("clock", environment(url, fake.url), folder)
    posts: list[tuple[float, int]] = []  # (answered at, status)
    health: list[tuple[float, int]] = []
    window: dict[str, Any] = {}
    remaining, loaded = list(range(updates)), asyncio.Event()
    try:
        chats = {50_000 + n: pkm for n, pkm in enumerate((await puskesmas_ids(db)) * 4)}
        await register(db, chats)
        chat_ids = list(chats)
        clock.start()
        async with WebWorkers(url, fake.url, 1, folder) as web:
            port = web.ports[0]
            deadline = time.monotonic() + 120 + updates / 50

            async def lane() -> None:
                hook = Webhook(port)
                while remaining and time.monotonic() < deadline:
                    update = text_update(chat_ids[remaining.pop() % len(chat_ids)], "/profil")
                    while time.monotonic() < deadline:
                        status = await hook.post(update)
                        posts.append((time.monotonic(), status))
                        if status == 200:
                            break
                        await asyncio.sleep(0.05)  # Telegram retries, later
                hook.close()

            async def prober() -> None:
                while not loaded.is_set():
                    health.append((time.monotonic(), await http_get(port, "/healthz", 3.0)))
                    await asyncio.sleep(0.05)

            async def restarter() -> None:
                while len(remaining) > updates * 0.7:
                    await asyncio.sleep(0.05)
                window["down"] = time.monotonic()
                watch = asyncio.create_task(_watch_outage(url, window))
                run = await asyncio.to_thread(
                    subprocess.run, pg_restart_command(), capture_output=True, text=True
                )
                window["restart_rc"] = run.returncode
                await watch

            async def load() -> None:
                await asyncio.gather(*(lane() for _ in range(lanes)))
                loaded.set()

            started = time.perf_counter()
            await asyncio.gather(restarter(), prober(), load())
            took = time.perf_counter() - started
        await db.engine.dispose()  # our own pooled connections died with the server
        delivered = await until_drained(db, timeout=60 + updates / 25)
        clean_stop = clock.stop() == 0
        figures = await _restart_figures(db, fake, chat_ids, updates, posts, health, window)
        figures |= {"seconds": round(took, 1)}
        figures["ok"] = figures["ok"] and delivered and clean_stop
        return tidy(folder, figures)
    finally:
        clock.stop()
        await pg_accepts(url)  # whoever runs next needs the server
        fake.stop()
        await db.dispose()


async def _watch_outage(url: str, window: dict[str, Any]) -> None:
    """Marks when PostgreSQL first refused a connection and when it first accepted one again."""
    while "up" not in window and time.monotonic() - window["down"] < 120:
        accepted = await pg_accepts(url, timeout=0.2)
        if accepted is None:
            window.setdefault("refused", time.monotonic())
        elif "refused" in window:
            window["up"] = accepted
        await asyncio.sleep(0.05)


async def _restart_figures(db, fake, chat_ids, updates, posts, health, window) -> Figures:
    down, up = window["down"], window.get("up", window["down"])
    served = sorted(at for at, s in posts if at > up and s == 200)
    recovered = served[0] if served else None

    def during(rows):
        return [s for at, s in rows if down <= at <= up]

    in_window, health_down = during(posts), during(health)
    expected = Counter(chat_ids[n % len(chat_ids)] for n in range(updates))
    doubled, lost = over(await replies_per_chat(db), dict(expected))
    sent = Counter(c.params["chat_id"] for c in fake.sent())
    sent_doubled, sent_lost = over(dict(sent), dict(expected))
    after = [s for at, s in posts if recovered and at > recovered + 1.0]
    figures = {
        "updates": updates,
        "posts": len(posts),
        "down_s": round(up - down, 2),
        "5xx_while_down": sum(1 for s in in_window if 500 <= s < 600),
        "other_while_down": sum(1 for s in in_window if s != 200 and not 500 <= s < 600),
        "healthz_503_while_down": health_down.count(503),
        "healthz_other_while_down": sum(1 for s in health_down if s not in (200, 503)),
        "healthz_after": health[-1][1] if health else NO_ANSWER,
        "recovered_s": round(recovered - up, 2) if recovered else None,
        "errors_after_recovery": sum(1 for s in after if s != 200),
        "processed": await processed_updates(db),
        "answers_doubled": doubled,
        "answers_lost": lost,
        "sent_doubled": sent_doubled,
        "sent_lost": sent_lost,
    }
    figures["ok"] = (
        window.get("restart_rc") == 0
        and figures["5xx_while_down"] > 0
        and figures["other_while_down"] == figures["healthz_other_while_down"] == 0
        and figures["healthz_503_while_down"] > 0
        and figures["healthz_after"] == 200
        and recovered is not None
        and figures["recovered_s"] < 10
        and figures["errors_after_recovery"] == 0
        and figures["processed"] == updates
        and doubled == lost == sent_doubled == sent_lost == 0
    )
    return figures


# --- 5. one chat, two workers, the same moment ---------------------------------------------

ROUNDS = 4  # pairs of answers given at the same moment; then single answers to the summary
K2_START = "BALITASPM=1 D=40 T=5 UKUR=30 STUNT=2"  # the rest (10 items) is asked one by one
ITEMS = 10


async def one_chat_two_workers(url: str, chats: int = 50) -> Figures:
    """Each person starts a report with five of its figures; the next answers come
    in pairs, both halves of a pair at the same moment to two web processes. The conversation
    lock serialises them, and the chat's order holds: the older half, if it comes second, is
    refused as late (handlers/core/order.py), not applied to the next question. Single answers
    then fill the form. Every answer is answered once and lands in the report or is refused."""
    db, fake, folder = Database(url), FakeBotApi().start(), work_folder()
    answers: Counter[int] = Counter()
    delivered: list[bool] = []
    typed: Counter[int] = Counter()  # answers per chat
    try:
        pkms = await puskesmas_ids(db)
        days = [day for _p, k, day in slots(21 * 4 * 7, pkms) if k == "K2"]
        people = {40_000 + n: pkms[n % len(pkms)] for n in range(chats)}
        await register(db, people)
        async with WebWorkers(url, fake.url, 2, folder) as web:

            async def person(n: int, chat: int) -> None:
                a, b = Webhook(web.ports[0]), Webhook(web.ports[1])
                start = text_update(chat, f"LAPOR K2 TGL={days[n]} {K2_START}")
                delivered.append(await a.deliver(start, answers))
                for _ in range(ROUNDS):
                    pair = (text_update(chat, "1"), text_update(chat, "1"))
                    both = await asyncio.gather(
                        a.deliver(pair[0], answers), b.deliver(pair[1], answers)
                    )
                    delivered.extend(both)
                typed[chat] += 2 * ROUNDS
                data = None
                for _ in range(ITEMS):  # bounded: ITEMS answers fill the form
                    delivered.append(await b.deliver(text_update(chat, "1"), answers))
                    typed[chat] += 1
                    data = await button_data(db, chat, "Kirim")
                    if data is not None:
                        break
                if data is not None:
                    delivered.append(await a.deliver(press_update(chat, data), answers))
                a.close(), b.close()

            started = time.perf_counter()
            await asyncio.gather(*(person(n, chat) for n, chat in enumerate(people)))
            took = time.perf_counter() - started
        return tidy(folder, await _answers_figures(db, people, typed, (answers, delivered), took))
    finally:
        fake.stop()
        await db.dispose()


async def _answers_figures(db, people, typed, posted, took) -> Figures:
    reports = await stored_reports(db)
    ids = [r.id for r in reports]
    async with db.transaction() as session:
        stored = (
            await session.execute(select(func.count()).where(ReportValue.report_id.in_(ids)))
        ).scalar_one()
        late = (
            await session.execute(select(func.count()).where(AuditEvent.action == "refused_late"))
        ).scalar_one()
    # header + first question, one answer per message (question or late notice), the thanks
    expected = {chat: 2 + typed[chat] + 1 for chat in people}
    doubled, lost = over(await replies_per_chat(db), expected)
    figures = {
        "chats": len(people),
        "answers_at_once": len(people) * 2 * ROUNDS,
        **answered(*posted),
        "reports": len(reports),
        "answers_stored": stored - 5 * len(reports),  # the five typed with LAPOR aside
        "answers_sent": sum(typed.values()),
        "refused_late": late,
        "replies_doubled": doubled,
        "replies_lost": lost,
        "seconds": round(took, 1),
    }
    figures["ok"] = (
        figures["undelivered"] == 0
        and len(reports) == len(people)
        and figures["answers_stored"] == ITEMS * len(people)
        and figures["answers_stored"] + late == figures["answers_sent"]
        and doubled == lost == 0
    )
    return figures


# --- the suite -----------------------------------------------------------------------------

Scenario = Callable[..., Awaitable[Figures]]
FULL: dict[str, tuple[Scenario, dict[str, Any], tuple[str, ...]]] = {
    "duplicated deliveries": (duplicated_deliveries, {"size": 1000}, ("sqlite", "postgresql")),
    "kill -9 and restart": (kill_and_restart, {"conversations": 100}, ("sqlite", "postgresql")),
    "Bot API 5xx and 429 storms": (bot_api_outage, {}, ("sqlite",)),
    "PostgreSQL restart": (postgres_restart, {}, ("postgresql",)),
    "one chat, two workers": (one_chat_two_workers, {"chats": 50}, ("sqlite", "postgresql")),
    "kill -9 mid-download": (
        media_kill_restart,
        {"photos": 40, "kills": 6},
        ("sqlite", "postgresql"),
    ),
}
SMALL: dict[str, dict[str, Any]] = {  # tests/test_faults.py and --small
    "duplicated deliveries": {"size": 60},
    "kill -9 and restart": {"conversations": 6, "kills": 2},
    "Bot API 5xx and 429 storms": {"chats": 8, "per_chat": 3, "outage": 1.5, "storm": 3.0},
    "PostgreSQL restart": {"updates": 300, "lanes": 8},
    "one chat, two workers": {"chats": 6},
    "kill -9 mid-download": {"photos": 8, "kills": 2, "delay": 0.5},
}
