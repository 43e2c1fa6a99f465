"""Exponential backoff for wrong tokens, per client.

The token is compared in constant time, but nothing stopped a client from trying tokens as
fast as the server answers (200 wrong tokens in under 5 s through ``/login``). A
``FailureThrottle`` counts the wrong tokens each client address presents; after a few free
mistakes each further one locks that address out for twice as long as the one before, and
while it is locked out every token it presents (even the right one) is refused with 429 and
a ``Retry-After``. A right token clears the address's record; so does a quiet period.

One throttle is shared by the dashboard's ``/login`` and by every bearer-token check of the
API, so a guesser cannot switch doors.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from typing import Callable

# Wrong tokens a client may present before the backoff starts: enough for a person who
# mistypes a few times, too few to matter to a guesser.
FREE_FAILURES = 5
# First lockout (s); each further failure doubles it, up to MAX_LOCKOUT_S. From the sixth
# wrong token on: 1, 2, 4, ... 512 s (ten tries in 17 minutes), then 15 minutes each (four
# tries an hour), where ~40 a second were measured before: 200 guesses now take ~46 hours.
BASE_LOCKOUT_S = 1.0
MAX_LOCKOUT_S = 900.0
# A client's record is forgotten this long (s) after its last wrong token.
FORGET_AFTER_S = 3600.0
# Client addresses remembered at most (the oldest is dropped first), so a flood of
# addresses cannot grow the table without bound.
MAX_CLIENTS = 10_000


class FailureThrottle:
    """Wrong-token backoff per client key (the client's address).

    ``free``: failures allowed before any lockout; ``base``/``cap``: first and longest lockout
    in seconds; ``forget``: seconds after the last failure when a client starts afresh;
    ``clock``: the time source (monotonic seconds), replaceable in tests.
    """

    def __init__(self, free: int = FREE_FAILURES, base: float = BASE_LOCKOUT_S, cap: float = MAX_LOCKOUT_S,
                 forget: float = FORGET_AFTER_S, max_clients: int = MAX_CLIENTS,
                 clock: Callable[[], float] = time.monotonic):
        self.free, self.base, self.cap, self.forget = free, base, cap, forget
        self.max_clients = max_clients
        self.clock = clock
        self._lock = threading.Lock()
        # key -> (failures, time of the last failure, locked until)
        self._clients: OrderedDict[str, tuple[int, float, float]] = OrderedDict()

    def _entry(self, key: str, now: float) -> tuple[int, float, float] | None:
        entry = self._clients.get(key)
        if entry is not None and now - entry[1] > self.forget and now >= entry[2]:
            del self._clients[key]
            return None
        return entry

    def retry_after(self, key: str) -> int:
        """Whole seconds ``key`` must still wait before a token is checked again (0: none)."""
        with self._lock:
            now = self.clock()
            entry = self._entry(key, now)
            if entry is None or now >= entry[2]:
                return 0
            return max(1, math.ceil(entry[2] - now))

    def failure(self, key: str) -> int:
        """Record a wrong token from ``key``; returns the lockout it starts (s, 0 if none)."""
        with self._lock:
            now = self.clock()
            entry = self._entry(key, now)
            failures = (entry[0] if entry else 0) + 1
            wait = 0.0
            if failures > self.free:
                wait = min(self.cap, self.base * 2 ** min(failures - self.free - 1, 60))
            self._clients[key] = (failures, now, now + wait)
            self._clients.move_to_end(key)
            while len(self._clients) > self.max_clients:
                self._clients.popitem(last=False)
            return math.ceil(wait)

    def __len__(self) -> int:
        """Clients remembered now."""
        with self._lock:
            return len(self._clients)

    def success(self, key: str) -> None:
        """A right token from ``key``: its record is cleared."""
        with self._lock:
            self._clients.pop(key, None)


def client_key(request: object) -> str:
    """The throttle key of a request: the client's address (``?`` when unknown)."""
    client = getattr(request, "client", None)
    return getattr(client, "host", None) or "?"
