"""The channels: one package each, every one an object implementing `Channel`, listed in
CHANNELS. A new channel is its package and one line in CHANNELS (docs/extending.md)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from bot.app import App
    from handlers.core.inbound import Runtime
    from handlers.core.outbox import Delivery, Envelope
    from handlers.core.outgoing import Outgoing
    from handlers.core.text import Texts
    from handlers.core.turn import Incoming


class Deliverer(Protocol):
    """The outbox sender's hand on one platform (an EnvelopeDeliver when `enveloped`)."""

    async def __call__(self, out: Outgoing, *envelope: Envelope) -> Delivery: ...

    async def close(self) -> None: ...


class Channel(Protocol):
    """One platform, as the runtime sees it. Its rules (WhatsApp's 24-hour window) are
    declared: `install` plugs its hooks into the runtime, `enveloped` asks the sender for each
    row's Envelope, `replies_via_outbox` sends its replies through the outbox (durable,
    rate-limited, ordered) rather than back to the caller."""

    name: str
    replies_via_outbox: bool
    enveloped: bool

    def parse(self, payload: Any, now: datetime) -> list[Incoming]:
        """An inbound payload as the core's messages (none for what is not a message)."""
        ...

    def render(self, out: Outgoing, texts: Texts) -> list[Any]:
        """An outgoing message as the platform's payloads, in the order they are sent."""
        ...

    def deliverer(self, app: App) -> Deliverer | None:
        """What sends its outbox rows, from the settings; None when it is not configured."""
        ...

    def install(self, runtime: Runtime) -> None:
        """Its rules as the runtime's hooks."""
        ...


def install(runtime: Runtime, channels: Iterable[Channel]) -> None:
    """The runtime as the channels in use declare it, set once by the composition."""
    from bot import metrics

    for channel in channels:
        if channel.replies_via_outbox:
            runtime.replies_via_outbox = True  # short transactions; the sender delivers
        channel.install(runtime)
    metrics.install(runtime)


def enveloped(names: Iterable[str]) -> frozenset[str]:
    """The channels among `names` whose deliverer takes each row's Envelope."""
    return frozenset(name for name in names if CHANNELS[name].enveloped)


from bot.channels.console.channel import CONSOLE  # noqa: E402
from bot.channels.telegram.channel import TELEGRAM  # noqa: E402
from bot.channels.whatsapp.channel import WHATSAPP  # noqa: E402

CHANNELS: dict[str, Channel] = {c.name: c for c in (TELEGRAM, WHATSAPP, CONSOLE)}
