"""Steps for the dashboard stories: an app with the dashboard on, a browser-like client that
keeps its cookies, and the sign-in a user does from the link the bot sends."""

from __future__ import annotations

import dataclasses
import re
import socket
from urllib.parse import urlsplit

import httpx

from bot.app import App
from bot.config import Settings
from bot.web import create_app

PUBLIC_URL = "http://dasbor.test"
SECRET_KEY = "dashboard-secret-key-for-tests-0123456789"
LINK = re.compile(r"https?://\S+/dasbor/masuk\?t=\S+")
PAGES = ("ringkasan", "capaian", "pws", "puskesmas", "dana", "desa", "unduh")


def dashboard_on(runtime, db_url: str, public_url: str = PUBLIC_URL, **settings) -> App:
    """The runtime sends /dasbor links; the web app serves the pages against the same clock."""
    runtime.settings = dataclasses.replace(runtime.settings, public_url=public_url)
    settings = Settings(
        _env_file=None,
        database_url=db_url,
        public_url=public_url,
        secret_key=SECRET_KEY,
        invite_secret="invite-secret-for-tests",
        **settings,
    )
    return App(settings, runtime.db, runtime)


def browser(app: App) -> httpx.AsyncClient:
    web = create_app(app, channels=[])
    return httpx.AsyncClient(transport=httpx.ASGITransport(web), base_url=PUBLIC_URL)


def link_in(replies: list[str]) -> str:
    found = LINK.search("\n".join(replies))
    assert found, replies
    return found.group(0)


async def sign_in(client: httpx.AsyncClient, link: str) -> httpx.Response:
    parts = urlsplit(link)
    return await client.get(f"{parts.path}?{parts.query}")


async def signed_in(app: App, person) -> httpx.AsyncClient:
    """A browser signed in as the person who typed /dasbor."""
    client = browser(app)
    response = await sign_in(client, link_in(await person.send("/dasbor")))
    assert response.status_code == 303, response.text
    return client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
