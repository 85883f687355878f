"""Where inbound photos and documents are kept (handlers/core/media.py's MediaStore): a directory
(MEDIA_DIR) on one machine, or an S3-compatible bucket (MEDIA_S3_URL) when web processes run on
several. boto3 is synchronous: its calls run in a thread, off the event loop."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

from bot.config import Settings


class DirectoryStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"media key outside the store: {key}")
        return path

    async def put(self, key: str, data: bytes, mime: str) -> None:
        await asyncio.to_thread(self._write, self._path(key), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(path.suffix + ".part")
        partial.write_bytes(data)
        partial.replace(path)  # a reader never sees half a file, a crash leaves no half file

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    def where(self, key: str) -> str:
        return str(self._path(key))


class S3Store:
    """MEDIA_S3_URL is the endpoint and the bucket: https://s3.example.org/ilpbot-media."""

    def __init__(self, url: str, access_key: str | None, secret_key: str | None, region: str):
        import boto3  # only when a bucket is configured

        parts = urlsplit(url)
        self.bucket = parts.path.strip("/").split("/")[0]
        if not self.bucket:
            raise ValueError("MEDIA_S3_URL needs the bucket: https://host/bucket")
        self.endpoint = f"{parts.scheme}://{parts.netloc}"
        self.client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            region_name=region,
        )

    async def put(self, key: str, data: bytes, mime: str) -> None:
        await asyncio.to_thread(
            self.client.put_object, Bucket=self.bucket, Key=key, Body=data, ContentType=mime
        )

    async def get(self, key: str) -> bytes:
        answer = await asyncio.to_thread(self.client.get_object, Bucket=self.bucket, Key=key)
        return await asyncio.to_thread(answer["Body"].read)

    def where(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"


def media_store(settings: Settings) -> DirectoryStore | S3Store:
    if settings.media_s3_url:
        return S3Store(
            settings.media_s3_url,
            settings.media_s3_access_key,
            settings.media_s3_secret_key,
            settings.media_s3_region,
        )
    return DirectoryStore(Path(settings.media_dir))
