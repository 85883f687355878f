"""Files on the console: `foto <path> [keterangan]` sends a photo or a PDF from this computer.
The media worker reads it as a platform's file server would be read, checks it, and keeps it in
the media store; the console then says where it was stored. `foto` alone is a photo without a
file (a quick demo): nothing to keep."""

from __future__ import annotations

import mimetypes
import uuid
from pathlib import Path

from conversations.model import Inbound, Photo
from handlers.core.media import Gone
from handlers.core.media_check import evidence

DEMO_PREFIX = "console-photo-"


def photo(rest: str) -> Inbound:
    """`foto` with what follows it: a file's path and a caption, or a caption alone."""
    words = rest.split()
    for cut in range(len(words), 0, -1):  # the longest start that names a file: spaces allowed
        path = Path(" ".join(words[:cut])).expanduser()
        if path.is_file():
            caption = " ".join(words[cut:]) or None
            claimed = mimetypes.guess_type(path.name)[0]
            return evidence(str(path.resolve()), claimed, path.stat().st_size, caption)
    return Inbound(photo=Photo(f"{DEMO_PREFIX}{uuid.uuid4().hex[:8]}", rest.strip() or None))


async def fetch(file_id: str) -> tuple[bytes, str]:
    """The media worker's fetcher for the console: the file at the path typed."""
    if file_id.startswith(DEMO_PREFIX):
        raise Gone("a demo photo without a file")
    path = Path(file_id)
    if not path.is_file():
        raise Gone(f"{path.name} is no longer there")
    return path.read_bytes(), mimetypes.guess_type(path.name)[0] or ""
