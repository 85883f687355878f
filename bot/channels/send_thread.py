"""A platform's sends on an event loop of their own, in a thread.

The exact limiter (bot/channels/limits.py) frees a slot a period after a send is answered, and
it sees the answer only when its coroutine runs again. On the sender's loop that can be 100 ms
or more after the bytes came back, while the loop records results and claims the next batch,
and every such delay was a send not made (61 % of 30 msg/s on this machine). On a loop that
does nothing but the platform's HTTP, the answer is seen within a few milliseconds.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class SendThread:
    def __init__(self, name: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        """`work` run on the thread's loop; cancelling the caller cancels it there too."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self._loop))

    async def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        await asyncio.to_thread(self._thread.join, 5.0)
        if not self._thread.is_alive():
            self._loop.close()
