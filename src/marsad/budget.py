"""A time budget per input: the pure stages stop an input that runs past its limit, and the
input is reported as an ``InputError`` ("took longer than N s") while the batch goes on.

The budget is cooperative. ``limit(seconds, origin)`` opens a deadline for the work done
inside it (in this thread or task: the deadline is held in a ``contextvars.ContextVar``, so
threads and worker processes each see only their own), and the long loops of the stages call
``check()`` (per sentence, per batch of the tagger, per tokenized span), which costs a clock
read. So it works the same in the main process, in worker processes and in a server's
threads, and never interrupts anything half-way: a stage only ever stops at a ``check()``.

``check()`` raises ``TimeLimitExceeded``, a ``BaseException`` so that the stages' own
``except Exception`` (a failing reader that must not lose the other facts) cannot swallow it;
``limit`` turns it into the ``InputError`` on its way out. Nothing outside a ``limit`` block
ever sees it.

``bound(seconds)`` sets a budget for a whole request (several inputs) without being checked
itself: each input's ``limit`` inside it ends no later than the request's, so one request
never holds a worker much past it, while what runs between the inputs (placing and storing
them) is never stopped half-way. The error names the input.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

from marsad.errors import InputError

# Seconds one input may take through extraction and facts before it is given up. 60: a 5 MB
# article (the API's largest body, far beyond any real news article; the longest ANT article
# is about 60 kB) takes 39 s here (bench_scale on a shared 2-core machine: 1.4 s for 0.25 MB,
# 6.3 s for 1 MB, 13 s for 2 MB), a typical article 20 ms; the limit only stops the runaway.
DEFAULT_TIME_LIMIT = 60.0


class TimeLimitExceeded(BaseException):
    """Raised by ``check()`` inside a ``limit`` block whose time is up (see the module doc)."""


class Deadline:
    """The moment work for one input must stop. ``seconds`` None or <= 0: no limit."""

    __slots__ = ("origin", "seconds", "started", "own_at", "at", "outer", "enforced")

    def __init__(self, seconds: float | None, origin: str = "", outer: "Deadline | None" = None,
                 enforced: bool = True):
        self.origin = origin
        self.enforced = enforced  # False: only bounds the limits opened inside it (``bound``)
        self.seconds = seconds if seconds and seconds > 0 else None
        self.outer = outer
        self.started = time.monotonic()
        self.own_at = self.started + self.seconds if self.seconds else float("inf")
        self.at = min(self.own_at, outer.at) if outer is not None else self.own_at

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def expired(self) -> bool:
        return time.monotonic() >= self.at

    def error(self) -> InputError:
        """The per-input error for an input stopped by this deadline."""
        # its own limit, or the request's when that left it (nearly) all of its own
        if self.own_at <= self.at or (self.seconds and self.at - self.started >= 0.95 * self.seconds):
            return InputError(self.origin, f"took longer than {self.seconds:g} s (the time "
                                           f"limit per input) and was not analysed")
        limiting = self.outer
        while limiting is not None and limiting.own_at > self.at:
            limiting = limiting.outer
        of = f"the {limiting.seconds:g} s " if limiting is not None else "the "
        given = self.at - self.started
        if given <= 0:
            return InputError(self.origin, f"not analysed: {of}time limit of the whole request "
                                           f"ran out before it")
        return InputError(self.origin, f"took longer than the {given:.2g} s left of {of}time "
                                       f"limit of the whole request, and was not analysed")


_CURRENT: ContextVar[Deadline | None] = ContextVar("marsad_deadline", default=None)


@contextmanager
def limit(seconds: float | None, origin: str = "") -> Iterator[Deadline]:
    """Run the block under a deadline of ``seconds`` (None: only an enclosing one applies);
    raises ``InputError(origin, ...)`` when a ``check()`` inside finds it spent."""
    deadline = Deadline(seconds, origin, _CURRENT.get())
    token = _CURRENT.set(deadline)
    try:
        yield deadline
    except TimeLimitExceeded:
        raise deadline.error() from None
    finally:
        _CURRENT.reset(token)


@contextmanager
def bound(seconds: float | None) -> Iterator[Deadline]:
    """A budget for everything in the block that ``limit`` bounds (see the module doc); never
    raises by itself."""
    deadline = Deadline(seconds, "", _CURRENT.get(), enforced=False)
    token = _CURRENT.set(deadline)
    try:
        yield deadline
    finally:
        _CURRENT.reset(token)


def check() -> None:
    """Stop the current input when its time is up (no-op outside a ``limit`` block)."""
    deadline = _CURRENT.get()
    if deadline is not None and deadline.enforced and time.monotonic() >= deadline.at:
        raise TimeLimitExceeded(deadline.origin)


def current() -> Deadline | None:
    """The innermost deadline in force here, if any."""
    return _CURRENT.get()
