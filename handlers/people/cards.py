"""The invitation sheet: one card per person (name, role, place, code, a QR code of the
Telegram deep link and one of the WhatsApp click-to-chat link, three lines of instructions) as
a PDF to print, and the same as an XLSX for a mail merge.
A QR code is embedded at one pixel a module; the PDF scales it, unsmoothed, to QR_SIZE mm."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path

from fpdf import FPDF
from openpyxl import Workbook
from PIL import Image

from conversations.model import N_
from handlers.core.settings import RuntimeSettings
from handlers.core.text import Texts
from handlers.exports.sheets import cell
from handlers.people import roles
from handlers.people.links import links_for, many_qr_pixels
from handlers.people.roster import Imported

PAGE_W, PAGE_H, MARGIN = 210, 297, 8
COLUMNS, ROWS = 2, 4
CARD_W, CARD_H = (PAGE_W - 2 * MARGIN) / COLUMNS, (PAGE_H - 2 * MARGIN) / ROWS
QR_SIZE = 25
PARALLEL_FROM = 400  # QR codes: below this, starting processes costs more than it saves
CHUNK = 500
MAX_WORKERS = 4
INSTRUCTIONS = (
    N_("1. Telegram: scan the left code, press START, then answer Yes."),
    N_("2. WhatsApp: scan the right code, press Send, then answer Yes."),
    N_("3. Without a QR code: send DAFTAR {code} to the bot."),
    N_("Valid until {until}, for you only."),
)
XLSX_HEADER = (
    N_("Row"),
    N_("Name"),
    N_("Role"),
    N_("Place"),
    N_("Phone"),
    N_("Code"),
    N_("Telegram link"),
    N_("WhatsApp link"),
    N_("Valid until"),
)


@dataclass(frozen=True)
class Card:
    row: int
    name: str
    role: str
    place: str
    phone: str
    code: str
    telegram: str | None
    whatsapp: str | None
    until: str


def cards_of(
    imported: list[Imported], texts: Texts, settings: RuntimeSettings, locale: str = "id"
) -> list[Card]:
    return [_card(i, texts, settings, locale) for i in imported]


def _card(item: Imported, texts: Texts, settings: RuntimeSettings, locale: str) -> Card:
    person, created = item.person, item.created
    links = links_for(settings, created.code)
    return Card(
        row=person.row.number,
        name=person.row.name,
        role=texts(roles.label(person.role), locale),
        place=place_line(
            person.puskesmas.nama if person.puskesmas else None,
            person.desa.nama if person.desa else None,
            texts,
            locale,
        ),
        phone=person.row.phone,
        code=created.code,
        telegram=links.telegram,
        whatsapp=links.whatsapp,
        until=texts.param(texts.today(created.invite.expires_at), locale),
    )


def place_line(puskesmas: str | None, desa: str | None, texts: Texts, locale: str) -> str:
    if desa and puskesmas:
        return texts(
            N_("Desa {desa}, Puskesmas {puskesmas}"), locale, desa=desa, puskesmas=puskesmas
        )
    if desa:
        return texts(N_("Desa {desa}"), locale, desa=desa)
    if puskesmas:
        return texts(N_("Puskesmas {puskesmas}"), locale, puskesmas=puskesmas)
    return texts(N_("Kabupaten Rejang Lebong"), locale)


def _latin(text: str) -> str:
    """The PDF's built-in Helvetica has Latin-1 only."""
    return text.encode("latin-1", "replace").decode("latin-1")


def qr_images(cards: list[Card]) -> dict[str, Image.Image]:
    """Every card's QR codes by link. The encoding is pure Python (4 of 5 parts of a big
    sheet's time): a large sheet shares it out to a process per core."""
    links = [link for c in cards for link in (c.telegram, c.whatsapp) if link]
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if len(links) < PARALLEL_FROM or workers < 2:
        pixels = many_qr_pixels(links)
    else:
        chunks = [links[i : i + CHUNK] for i in range(0, len(links), CHUNK)]
        # spawn: the workers inherit none of the database's threads and connections
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            pixels = [p for chunk in pool.map(many_qr_pixels, chunks) for p in chunk]
    return {
        link: Image.frombytes("L", (width, width), data)
        for link, (width, data) in zip(links, pixels, strict=True)
    }


def write_pdf(cards: list[Card], path: Path, texts: Texts, locale: str = "id") -> Path:
    images = qr_images(cards)
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_title(_latin(texts(N_("Invitations to the ILP bot"), locale)))
    for index, card in enumerate(cards):
        if index % (COLUMNS * ROWS) == 0:
            pdf.add_page()
        slot = index % (COLUMNS * ROWS)
        x = MARGIN + (slot % COLUMNS) * CARD_W
        y = MARGIN + (slot // COLUMNS) * CARD_H
        _draw(pdf, card, (x, y), images, texts, locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def _draw(
    pdf: FPDF,
    card: Card,
    at: tuple[float, float],
    images: dict[str, Image.Image],
    texts: Texts,
    locale: str,
) -> None:
    """`text` at a baseline, not `cell`: a tenth of the time, for 10 lines on 5,000 cards."""
    x, y = at
    pdf.set_draw_color(160)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=2, gap=2)  # where to cut
    pdf.line(x, y, x + CARD_W, y)
    pdf.line(x, y, x, y + CARD_H)
    pdf.set_dash_pattern()
    left = x + 4
    pdf.set_font("helvetica", "B", 12)
    pdf.text(left, y + 8.5, _latin(card.name)[:44])
    pdf.set_font("helvetica", "", 8)
    pdf.text(left, y + 13, _latin(card.role))
    pdf.text(left, y + 17, _latin(card.place)[:64])
    pdf.set_font("courier", "B", 13)
    pdf.text(left, y + 23, card.code)
    top = y + 25
    pdf.set_font("helvetica", "B", 7)
    for column, (link, label) in enumerate(
        ((card.telegram, "Telegram"), (card.whatsapp, "WhatsApp"))
    ):
        qr_left = left + column * (QR_SIZE + 10)
        if link:
            pdf.image(images[link], x=qr_left, y=top, w=QR_SIZE, h=QR_SIZE)
        pdf.text(
            qr_left + QR_SIZE / 2 - pdf.get_string_width(label) / 2, top + QR_SIZE + 2.5, label
        )
    pdf.set_font("helvetica", "", 6.5)
    for line_no, msgid in enumerate(INSTRUCTIONS):
        line = texts(msgid, locale, code=card.code, until=card.until)
        pdf.text(left, top + QR_SIZE + 6 + line_no * 3.3, _latin(line))


def write_xlsx(cards: list[Card], path: Path, texts: Texts, locale: str = "id") -> Path:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(texts(N_("Invitations"), locale)[:31])
    sheet.append([texts(h, locale) for h in XLSX_HEADER])
    for c in cards:
        values = (c.row, c.name, c.role, c.place, c.phone, c.code, c.telegram, c.whatsapp, c.until)
        sheet.append([cell(v or "") for v in values])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def stamp(now: datetime) -> str:
    return now.strftime("%Y%m%d-%H%M%S")
