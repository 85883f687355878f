"""The console channel: one chat on stdin/stdout through the same runtime and database."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Awaitable, Callable
from typing import TextIO

from conversations.model import Inbound
from handlers.inbound import Runtime
from handlers.outbox import Delivery
from handlers.outgoing import Outgoing
from handlers.turn import Incoming

CHANNEL = "console"


def format_message(out: Outgoing) -> str:
    lines = [
        f"bot> {line}" if i == 0 else f"     {line}" for i, line in enumerate(out.text.split("\n"))
    ]
    lines += [f"     {n}. {b.label}" for n, b in enumerate(out.buttons, start=1)]
    if out.request == "location":
        lines.append("     (kirim lokasi: ketik  lokasi <lat> <lon>)")
    if out.request == "contact":
        lines.append("     (kirim nomor: ketik  kontak <nomor>)")
    return "\n".join(lines)


async def deliver(out: Outgoing, stdout: TextIO | None = None) -> Delivery:
    """The outbox's sender for console chats: every console shares the terminal, so say whose."""
    print(f"[untuk chat {out.chat_id}]\n{format_message(out)}", file=stdout or sys.stdout)
    return Delivery("sent", provider_message_id=f"console-{uuid.uuid4().hex[:12]}")


def to_incoming(chat_id: str, line: str, last: Outgoing | None, now_fn: Callable) -> Incoming:
    """A typed number presses the numbered button of the last question, as a tap would."""
    text = line.strip()
    callback = None
    if last and last.buttons and text.isdigit() and 1 <= int(text) <= len(last.buttons):
        callback = last.buttons[int(text) - 1].data
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
    from conversations.model import Contact, Location, Photo

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
        return Inbound(photo=Photo(f"console-photo-{uuid.uuid4().hex[:8]}", rest or None))
    return None


async def chat(
    runtime: Runtime,
    chat_id: str,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    after_turn: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Reads lines until end of input; each line is one message."""
    last: Outgoing | None = None
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            break
        if not line.strip():
            continue
        print(f"you> {line.rstrip()}", file=stdout) if not stdin.isatty() else None
        replies = await runtime.handle(to_incoming(chat_id, line, last, runtime.clock))
        for out in replies:
            print(format_message(out), file=stdout)
            if out.buttons:
                last = out
        if after_turn:
            await after_turn()
        stdout.flush()
