"""What an inbound file is, by its content: the type a platform or a file name claims is not
trusted (an executable renamed to .jpg is still refused). Images lose their location metadata
(EXIF GPS) before anyone else sees them, unless the form asked for the location."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from conversations.model import Inbound, Photo

MAX_BYTES = 10 * 1024 * 1024
GPS_TAG = 0x8825  # ExifTags.IFD.GPSInfo
# magic bytes → (type, extension)
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"%PDF-", "application/pdf", ".pdf"),
)


KEPT_TYPES = {mime for _magic, mime, _ext in SIGNATURES} | {"image/jpg"}  # a common misspelling


def refusal(claimed_type: str | None, size: int | None) -> str | None:
    """Why a file is refused at once, on what the platform says of it ("size" or "type"), or
    None: it is fetched, and its content decides (`inspect`). A type the platform does not
    know (None, octet-stream) is left to the content."""
    if size is not None and size > MAX_BYTES:
        return "size"
    mime = (claimed_type or "").split(";")[0].strip().lower()
    if mime in ("", "application/octet-stream") or mime in KEPT_TYPES:
        return None
    return "type"


def evidence(
    file_id: str, claimed_type: str | None, size: int | None, caption: str | None
) -> Inbound:
    """A file a person sent, as the engine reads it: kept as evidence, or refused at once."""
    if reason := refusal(claimed_type, size):
        return Inbound(refused_file=reason)
    return Inbound(photo=Photo(file_id, caption or None))


class Refused(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


@dataclass(frozen=True)
class Kept:
    data: bytes  # what is stored and shown
    mime: str
    extension: str
    sha256: str  # of `data`


def inspect(data: bytes, keep_location: bool = False) -> Kept:
    """The file as it will be kept, or Refused ("size" or "type")."""
    if len(data) > MAX_BYTES:
        raise Refused("size", f"{len(data)} bytes")
    kind = next(((m, e) for magic, m, e in SIGNATURES if data.startswith(magic)), None)
    if kind is None:
        raise Refused("type", f"starts with {data[:8].hex()}")
    mime, extension = kind
    if mime.startswith("image/"):
        data = _image(data, keep_location)
    return Kept(data, mime, extension, hashlib.sha256(data).hexdigest())


def _image(data: bytes, keep_location: bool) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()  # a truncated or forged image is refused here, not shown to a kades
        if keep_location:
            return data
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
            if GPS_TAG not in exif and "exif" not in image.info:
                return data
            exif.pop(GPS_TAG, None)
            out = io.BytesIO()
            options = {"exif": exif.tobytes()} if exif else {}
            if image.format == "JPEG":  # keep the picture as sent, bar its location
                options |= {"quality": "keep"} if image.mode != "P" else {}
            image.save(out, format=image.format, **options)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise Refused("type", f"not a readable image: {exc}") from exc


def location_of(data: bytes) -> dict | None:
    """The image's GPS metadata, if any (tests, and an auditor's question)."""
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif().get_ifd(GPS_TAG)) or None
