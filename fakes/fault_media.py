"""A fault scenario of fakes/faults.py: `ilpbot run` killed while its media loop is downloading a
photo. The photo's `media_item` stays claimed (leased) by the dead process; the restarted bot
fetches it again once the lease ends, and nothing is lost: every photo ends up in MEDIA_DIR,
whole, without its location, and every person got the bot's answer."""

from __future__ import annotations

import asyncio
import hashlib
import io
import random
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import func, select

from db.database import Database
from db.models import MediaItem, Outbox
from fakes.fault_support import (
    Process,
    environment,
    puskesmas_ids,
    register,
    tidy,
    until_drained,
    work_folder,
)
from fakes.telegram_api import FakeBotApi
from handlers.core.media import LEASE
from handlers.core.media_check import GPS_TAG, inspect, location_of

Figures = dict[str, Any]
FIRST_CHAT = 60_000
LEASE_S = LEASE.total_seconds()  # how long a killed download's photo waits to be fetched again
ANSWERS = 2  # to a photo outside any form: "I did not understand that …" and the menu


def gps_photo(n: int) -> bytes:
    """A small JPEG of its own colour (so its own hash) that says where it was taken."""
    image = Image.new("RGB", (160, 120), (n * 37 % 256, n * 91 % 256, 120))
    image.paste((255 - n % 256, 40, 40), (10 + n % 100, 10, 40 + n % 100, 60))
    exif = Image.Exif()
    exif[GPS_TAG] = {1: "S", 2: (3.0, 28.0, 12.0), 3: "E", 4: (102.0, 31.0, 48.0)}  # Curup
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def downloads_started(fake: FakeBotApi) -> int:
    with fake._lock:
        return sum(fake.downloads.values())


async def until(check, timeout: float, every: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(every)
    return True


async def media_kill_restart(
    url: str, photos: int = 40, kills: int = 6, delay: float = 0.3, seed: int = 3
) -> Figures:
    """`photos` registered people each send a photo (with GPS in its EXIF) by long polling; the
    fake file server answers each download after `delay` seconds, and `ilpbot run` is killed
    with SIGKILL `kills` times while a download is in flight, and restarted at once. Every
    photo must be stored once in MEDIA_DIR, whole and without its location, no `.part` file
    left, and every person must have the bot's answer."""
    rng = random.Random(seed)
    db, fake, folder = Database(url), FakeBotApi().start(), work_folder()
    fake.file_delay = delay
    store = folder / "media"
    bot = Process("run", environment(url, fake.url, MEDIA_DIR=str(store)), folder)
    originals = {f"AgACmedia{n}": gps_photo(n) for n in range(photos)}
    killed: list[tuple[str, ...]] = []  # per kill, the files whose download it cut
    try:
        pkms = await puskesmas_ids(db)
        chats = {FIRST_CHAT + n: pkms[n % len(pkms)] for n in range(photos)}
        await register(db, chats)
        for file_id, data in originals.items():
            fake.add_file(file_id, data)
        bot.start()
        started = time.perf_counter()

        async def person(n: int, file_id: str) -> None:
            await asyncio.sleep(rng.uniform(0, max(3.0, photos * delay / 2)))
            fake.push_photo(FIRST_CHAT + n, file_id)

        async def killer() -> None:
            since = 0  # downloads started before the running process came up
            while len(killed) < kills:
                # A download of this process (the killed one's may still be answering).
                if not await until(lambda s=since: downloads_started(fake) > s, 2 * LEASE_S):
                    return
                await asyncio.sleep(rng.uniform(0, delay / 2))  # somewhere in the download
                with fake._lock:
                    flying = tuple(f for f, n in fake.downloading.items() if n > 0)
                if flying:  # else it ended already (a slow machine): aim at the next one
                    bot.kill()
                    bot.start()
                    killed.append(flying)
                await until(lambda: fake.in_flight() == 0, delay + 5)
                since = downloads_started(fake)

        killing = asyncio.create_task(killer())
        await asyncio.gather(*(person(n, f) for n, f in enumerate(originals)))
        await killing
        kept = await until_stored(db, photos, timeout=LEASE_S + 30 + photos * delay * 2)
        took = time.perf_counter() - started
        drained = await until_drained(db, timeout=60)
        await asyncio.sleep(1.0)  # the last sends recorded
        clean_stop = bot.stop() == 0
        figures = await _figures(db, fake, store, originals, killed)
        figures |= {"seconds": round(took, 1), "clean_stop": clean_stop}
        figures["ok"] = (
            kept
            and drained
            and clean_stop
            and figures["kills_mid_download"] == kills
            and figures["stored"] == photos
            and figures["lost"] == figures["part_files_left"] == figures["location_kept"] == 0
            and figures["answers_lost"] == figures["answers_doubled"] == 0
            and figures["refetched_after_kill"] == figures["downloads_cut"]
        )
        if not figures["ok"]:
            figures["log"] = bot.tail()
        return tidy(folder, figures)
    finally:
        bot.stop()
        fake.stop()
        await db.dispose()


async def until_stored(db: Database, photos: int, timeout: float) -> bool:
    stmt = select(func.count()).where(MediaItem.status == "stored")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with db.transaction() as session:
            if (await session.execute(stmt)).scalar_one() >= photos:
                return True
        await asyncio.sleep(0.5)
    return False


async def _figures(db, fake: FakeBotApi, store: Path, originals, killed) -> Figures:
    """A photo is lost when its row is not stored, its file is missing, or the file is not what
    the bot makes of the photo as sent (a torn or half-downloaded copy): its hash differs."""
    async with db.transaction() as session:
        rows = {r.file_id: r for r in (await session.execute(select(MediaItem))).scalars()}
        stmt = select(Outbox.chat_id, Outbox.payload).where(Outbox.kind == "reply")
        replies = (await session.execute(stmt)).all()
    missing = mismatch = located = 0
    for file_id, original in originals.items():
        row = rows.get(file_id)
        if row is None or row.status != "stored":
            continue
        path = store / row.key
        if not path.is_file():
            missing += 1
            continue
        data = path.read_bytes()
        expected = inspect(original).sha256
        if not hashlib.sha256(data).hexdigest() == row.sha256 == expected:
            mismatch += 1
        located += location_of(data) is not None
    stored = sum(1 for f in originals if f in rows and rows[f].status == "stored")
    cut = {f for files in killed for f in files}
    return {
        "photos": len(originals),
        "stored": stored,
        "lost": len(originals) - stored + missing + mismatch,
        "missing_files": missing,
        "hash_mismatch": mismatch,
        "location_kept": located,
        "part_files_left": sum(1 for _ in store.rglob("*.part")) if store.exists() else 0,
        "kills": len(killed),
        "kills_mid_download": sum(1 for files in killed if files),
        "downloads_started": sum(fake.downloads.values()),
        "downloads_cut": len(cut),
        "refetched_after_kill": sum(1 for f in cut if fake.downloads[f] >= 2),
        "max_attempts": max((r.attempts for r in rows.values()), default=0),
        **_answers(fake, [FIRST_CHAT + n for n in range(len(originals))], replies),
    }


def _answers(fake: FakeBotApi, chats: list[int], replies) -> Figures:
    """Each person's turn wrote its answers to the outbox once, and each of them arrived (a
    message sent again after a kill, at least once, is counted apart)."""
    rows: dict[int, list[str]] = defaultdict(list)
    for chat, payload in replies:
        rows[int(chat)].append(payload.get("text") or "")
    lost = doubled = resent = 0
    for chat in chats:
        texts, got = rows[chat], fake.texts(chat)
        doubled += max(0, len(texts) - ANSWERS)
        lost += max(0, ANSWERS - len(texts)) + sum(1 for t in texts if t not in got)
        resent += max(0, len(got) - len(texts))
    answers = sum(len(rows[chat]) for chat in chats)
    return {
        "answers": answers,
        "answers_lost": lost,
        "answers_doubled": doubled,
        "resent_after_kill": resent,
    }
