"""Each channel's way to fetch an inbound file by its platform id, for the media worker
(handlers/core/media.py): Telegram's getFile and its file URL, WhatsApp's media URL."""

from __future__ import annotations

from bot.channels.telegram.send import TelegramSender
from bot.channels.whatsapp.delivery import WhatsAppDelivery
from handlers.core.media import Fetch, TooLarge
from handlers.core.media_check import MAX_BYTES


def telegram_fetch(sender: TelegramSender) -> Fetch:
    async def fetch(file_id: str) -> tuple[bytes, str]:
        async def download() -> tuple[bytes, str]:
            file = await sender.bot.get_file(file_id)
            if (file.file_size or 0) > MAX_BYTES:  # Telegram says so before a byte moves
                raise TooLarge(f"{file.file_size} bytes")
            return bytes(await file.download_as_bytearray()), ""

        return await (sender.thread.run(download()) if sender.thread else download())

    return fetch


def whatsapp_fetch(delivery: WhatsAppDelivery) -> Fetch:
    async def fetch(media_id: str) -> tuple[bytes, str]:
        return await delivery.client.download(media_id, MAX_BYTES)

    return fetch


def fetchers(deliverers: dict[str, object]) -> dict[str, Fetch]:
    found: dict[str, Fetch] = {}
    for name, deliverer in deliverers.items():
        if isinstance(deliverer, TelegramSender):
            found[name] = telegram_fetch(deliverer)
        elif isinstance(deliverer, WhatsAppDelivery):
            found[name] = whatsapp_fetch(deliverer)
    return found
