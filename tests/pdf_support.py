"""What a printed invitation sheet holds: its text, and the QR codes decoded from the very
images embedded in the PDF.

No PDF renderer is installed, so the images are read from the file itself: each image XObject
fpdf2 writes is a dictionary (/Width, /Height, /ColorSpace /DeviceGray, /BitsPerComponent 8,
/Filter /FlateDecode, /DecodeParms /Predictor 15) and its stream. Flate data under the PNG
predictors is exactly a PNG's IDAT, so the stream becomes a PNG again (IHDR + IDAT + IEND)
that Pillow reads; it is scaled up without smoothing (as a printer does) and given to
zxing-cpp. A QR code the PDF does not carry cannot be decoded here."""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import zxingcpp
from PIL import Image

OBJECT = re.compile(rb"\bobj\s*<<(?P<dict>(?:(?!endobj).)*?)>>\s*stream\r?\n", re.S)
SCALE = 8
PNG = b"\x89PNG\r\n\x1a\n"


def _number(entry: bytes, key: bytes) -> int:
    return int(re.search(rb"/" + key + rb"\s+(\d+)", entry).group(1))


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png(width: int, height: int, idat: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return PNG + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def images(pdf: bytes) -> list[Image.Image]:
    found = []
    for match in OBJECT.finditer(pdf):
        entry = match["dict"]
        if b"/Subtype /Image" not in entry:
            continue
        assert b"/DeviceGray" in entry and b"/FlateDecode" in entry, entry
        assert b"/Predictor 15" in entry, entry
        width, height = _number(entry, b"Width"), _number(entry, b"Height")
        data = pdf[match.end() : match.end() + _number(entry, b"Length")]
        image = Image.open(io.BytesIO(_png(width, height, data))).convert("L")
        found.append(image.resize((width * SCALE, height * SCALE), Image.NEAREST))
    return found


def qr_texts(path: Path) -> list[str]:
    """Every QR code of the PDF, in the order of the file (card by card: Telegram, WhatsApp)."""
    decoded = []
    for image in images(path.read_bytes()):
        codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        assert len(codes) == 1, "an image of the sheet is not one readable QR code"
        decoded.append(codes[0].text)
    return decoded
