"""The console channel: one chat on stdin/stdout through the same runtime and database."""

from __future__ import annotations

import asyncio
import logging
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.channels.console import files
from conversations.model import N_, Inbound
from conversations.parsing import normalize
from handlers.app import build_outbox_worker
from handlers.core.inbound import Runtime
from handlers.core.media import MediaStore, MediaWorker
from handlers.core.outbox import Delivery
from handlers.core.outgoing import Button, Outgoing
from handlers.core.text import Texts, load_words
from handlers.core.turn import Incoming

log = logging.getLogger(__name__)

CHANNEL = "console"
POLL_SECONDS = 1.0  # how soon a message someone else's turn queued for this chat shows up


def pressable(out: Outgoing | None) -> tuple[Button, ...]:
    """The buttons a typed number presses. A lone Lewati rides with a question that takes a
    typed answer (a count, a photo): there "1" is the answer, and the word Lewati skips."""
    if out is None:
        return ()
    if len(out.buttons) == 1 and normalize(out.buttons[0].label) in load_words().skip:
        return ()
    return out.buttons


def format_message(out: Outgoing) -> str:
    lines = [
        f"bot> {line}" if i == 0 else f"     {line}" for i, line in enumerate(out.text.split("\n"))
    ]
    numbered = pressable(out)
    lines += [f"     {n}. {b.label}" for n, b in enumerate(numbered, start=1)]
    lines += [f"     [{b.label}]" for b in out.buttons if b not in numbered]
    if out.request == "location":
        lines.append("     (kirim lokasi: ketik  lokasi <lat> <lon>)")
    if out.request == "contact":
        lines.append("     (kirim nomor: ketik  kontak <nomor>)")
    return "\n".join(lines)


def attachment_lines(out: Outgoing, texts: Texts) -> list[str]:
    """A terminal shows no files: what was sent, and where it was written to open it."""
    lines = []
    for kind, path in (("document", out.document), ("photo", out.photo)):
        if path:
            shown = Path(path).resolve() if Path(path).exists() else path
            msgid = N_("(file sent: {name}, written to {path})")
            if kind == "photo":
                msgid = N_("(picture sent: {name}, written to {path})")
            lines.append("     " + texts(msgid, name=Path(path).name, path=str(shown)))
    return lines


def to_incoming(chat_id: str, line: str, last: Outgoing | None, now_fn: Callable) -> Incoming:
    """A typed number presses the numbered button of the latest question, as a tap would."""
    text = line.strip()
    callback = None
    buttons = pressable(last)
    if text.isdigit() and 1 <= int(text) <= len(buttons):
        callback = buttons[int(text) - 1].data
    inbound = _special(text) or Inbound(text=text)
    return Incoming(
        channel=CHANNEL,
        chat_id=chat_id,
        external_id=f"{chat_id}:{uuid.uuid4().hex}",
        sent_at=now_fn(),
        inbound=inbound if callback is None else Inbound(),
        callback=callback,
    )


def _special(text: str) -> Inbound | None:
    from conversations.model import Contact, Location

    word, _, rest = text.partition(" ")
    word = word.lower()
    try:
        if word == "lokasi":
            lat, lon = (float(x) for x in rest.split()[:2])
            return Inbound(location=Location(lat, lon))
    except ValueError:
        return None
    if word == "kontak" and rest:
        return Inbound(contact=Contact(rest.strip()))
    if word == "foto":
        return files.photo(rest)
    return None


class ConsoleChat:
    """One person at the terminal. Replies to their own lines print at once; messages others'
    turns queue for this chat (a kades's decision, a reminder) come from the outbox, which this
    chat delivers for itself every second, so each terminal shows only its own chat."""

    def __init__(
        self,
        runtime: Runtime,
        chat_id: str,
        stdin: TextIO,
        stdout: TextIO,
        store: MediaStore | None = None,
    ) -> None:
        self.runtime, self.chat_id = runtime, chat_id
        self.stdin, self.stdout = stdin, stdout
        self.last: Outgoing | None = None  # the message a typed number answers
        self.outbox = build_outbox_worker(runtime, {CHANNEL: self.deliver})
        self.outbox.only_chat = chat_id
        self.media = None  # `foto <path>`: read, checked and kept in the store after the turn
        if store is not None:
            fetchers = {CHANNEL: files.fetch}
            clock, texts = runtime.clock, runtime.texts
            self.media = MediaWorker(runtime.db, fetchers, store, clock, texts, only_chat=chat_id)
            self.media.on_stored.append(self.stored)

    def stored(self, channel: str, chat_id: str, where: str) -> None:
        msgid = N_("(file received and kept in the media store: {where})")
        print("     " + self.runtime.texts(msgid, where=where), file=self.stdout)

    async def deliver(self, out: Outgoing) -> Delivery:
        self.show([out], pushed=True)
        return Delivery("sent", provider_message_id=f"console-{uuid.uuid4().hex[:12]}")

    def show(self, messages: list[Outgoing], pushed: bool = False) -> None:
        for out in messages:
            print(format_message(out), file=self.stdout)
            for line in attachment_lines(out, self.runtime.texts):
                print(line, file=self.stdout)
        # The reply to a typed line is the question now (one without buttons makes numbers
        # answers again); a message from elsewhere takes over only when it brings buttons.
        if messages and (not pushed or messages[-1].buttons):
            self.last = messages[-1]
        self.stdout.flush()

    async def run(self, poll: float = POLL_SECONDS) -> None:
        """Reads lines until end of input; each line is one message."""
        await self.outbox.drain()
        poller = asyncio.create_task(self._poll(poll))
        try:
            await self._read()
        finally:
            poller.cancel()
        await self.outbox.drain()

    async def _read(self) -> None:
        loop = asyncio.get_running_loop()
        while line := await loop.run_in_executor(None, self.stdin.readline):
            if not line.strip():
                continue
            if not self.stdin.isatty():
                print(f"you> {line.rstrip()}", file=self.stdout)
            msg = to_incoming(self.chat_id, line, self.last, self.runtime.clock)
            self.show(await self.runtime.handle(msg))
            if self.media is not None:
                await self.media.drain()
            await self.outbox.drain()

    async def _poll(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.outbox.drain()
            except Exception:  # the database is busy or away: the next round tries again
                log.exception("console %s: delivering its messages failed", self.chat_id)


async def chat(
    runtime: Runtime,
    chat_id: str,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    store: MediaStore | None = None,
) -> None:
    await ConsoleChat(runtime, chat_id, stdin, stdout, store).run()
