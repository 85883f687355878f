"""Meta's sending limits on one business number, refused as Meta refuses them (opt-in).

Throughput: at most `per_second` messages in any sliding second (Meta: 80 by default; Meta counts
inbound messages too, which this fake never sees). A send over it is answered 130429.
Pair rate: per recipient a token bucket of `pair_burst` messages, refilled one per `pair_seconds`
(Meta: about 1 per 6 s, bursts up to 45, then paid back). A send over it is answered 131056, and
only that recipient is affected. A refused send is not a message: it uses neither limit.

A recipient can also be `saturated` for a while, as if another sender on the number (an agent's
phone, another app) had used up the pair: their sends are answered 131056 until then, enforced
or not.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

THROUGHPUT = 130429
PAIR_RATE = 131056


@dataclass
class MetaLimits:
    per_second: int = 80
    pair_seconds: float = 6.0
    pair_burst: int = 45
    enforcing: bool = False
    _recent: deque[float] = field(default_factory=deque)  # accepted sends of the last second
    _pairs: dict[str, tuple[float, float]] = field(default_factory=dict)  # to: (tokens, at)
    _saturated: dict[str, float] = field(default_factory=dict)  # to: until (monotonic)

    def enforce(self, per_second: int, pair_seconds: float, pair_burst: int) -> None:
        """Refuse from now on (counting from now: earlier sends are forgotten)."""
        self.per_second, self.pair_seconds, self.pair_burst = per_second, pair_seconds, pair_burst
        self.enforcing = True
        self._recent.clear()
        self._pairs.clear()

    def saturate(self, to: str, until: float) -> None:
        self._saturated[to] = until

    def refusal(self, to: str, at: float) -> int | None:
        """Meta's error code for a send to `to` arriving at `at`, or None: it is accepted and
        counted. Calls come in arrival order (the fake holds its lock around them)."""
        if self._saturated.get(to, -math.inf) > at:
            return PAIR_RATE
        if not self.enforcing:
            return None
        while self._recent and at - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= self.per_second:
            return THROUGHPUT
        tokens, last = self._pairs.get(to, (float(self.pair_burst), at))
        tokens = min(float(self.pair_burst), tokens + (at - last) / self.pair_seconds)
        if tokens < 1.0:
            self._pairs[to] = (tokens, at)
            return PAIR_RATE
        self._pairs[to] = (tokens - 1.0, at)
        self._recent.append(at)
        return None
