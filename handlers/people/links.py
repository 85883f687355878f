"""The links an invitation travels by: Telegram's deep link (/start CODE) and WhatsApp's
click-to-chat (a message "DAFTAR CODE" ready to send), as text and as a QR code (segno)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from urllib.parse import quote

import segno
from PIL import Image

from handlers.core.settings import RuntimeSettings

QR_MASK = 2
BORDER = 2  # modules of quiet zone: enough on a white card
SHADES = bytes([255, 0]) + bytes(254)  # a module's 0/1 → light/dark grey
KEYWORD = "DAFTAR"  # what registration understands before a code (handlers/people/registration.py)


@dataclass(frozen=True)
class Links:
    telegram: str | None
    whatsapp: str | None


def telegram_link(username: str | None, code: str) -> str | None:
    """Telegram's `start` parameter allows A-Z a-z 0-9 _ - only: the code as printed fits."""
    return f"https://t.me/{username.lstrip('@')}?start={code}" if username else None


def whatsapp_link(number: str | None, code: str) -> str | None:
    digits = re.sub(r"\D", "", number or "")
    return f"https://wa.me/{digits}?text={quote(f'{KEYWORD} {code}')}" if digits else None


def links_for(settings: RuntimeSettings, code: str) -> Links:
    return Links(
        telegram_link(settings.telegram_bot_username, code),
        whatsapp_link(settings.whatsapp_number, code),
    )


def qr(data: str) -> segno.QRCode:
    """Error correction M survives a crumpled print. The mask is fixed: segno's search for the
    best of the eight costs 4 ms a code (40 s for a 5,000-person roster's sheet), and every
    mask reads the same (the tests decode the printed ones)."""
    return segno.make(data, error="m", micro=False, mask=QR_MASK, boost_error=False)


def qr_png(data: str, scale: int = 8) -> bytes:
    """For a chat: a picture to send."""
    out = io.BytesIO()
    qr(data).save(out, kind="png", scale=scale, border=BORDER)
    return out.getvalue()


def qr_pixels(data: str) -> tuple[int, bytes]:
    """For a PDF: one grey pixel a module (0 dark, 255 light), the quiet zone included, as
    (width, pixels) of a square; the PDF scales it without smoothing. Built from the matrix: a
    PNG written and read back again for each of 10,000 codes costs more than the codes."""
    matrix = qr(data).matrix
    width = len(matrix[0]) + 2 * BORDER
    light = b"\xff" * width
    rows = [light] * BORDER
    rows += [b"\xff" * BORDER + bytes(row).translate(SHADES) + b"\xff" * BORDER for row in matrix]
    rows += [light] * BORDER
    return width, b"".join(rows)


def many_qr_pixels(links: list[str]) -> list[tuple[int, bytes]]:
    return [qr_pixels(link) for link in links]


def qr_image(data: str) -> Image.Image:
    width, pixels = qr_pixels(data)
    return Image.frombytes("L", (width, width), pixels)
