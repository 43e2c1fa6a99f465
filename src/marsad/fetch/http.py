"""Polite, bounded, guarded HTTP for marsad's live sources.

``Fetcher.get`` fetches one URL the way a well-behaved news monitor should:

- robots.txt is read once per site (cached for ``robots_ttl``) and obeyed for the user agent
  token ``marsad``, including a ``Crawl-delay`` longer than marsad's own;
- a request to a host starts ``delay`` seconds after the last one to it ended (default 1:
  at most one request a second a host), with at most ``host_concurrency`` in flight to one
  host and ``concurrency`` overall;
- ``etag``/``last_modified`` turn the request into a conditional GET (a 304 costs no body);
- 429 and 5xx answers are retried with exponential backoff, waiting what ``Retry-After``
  asks when it asks for more (up to ``max_retry_after``, beyond which the URL fails for now);
- connect/read timeouts, a total time per response, a maximum body size (after content
  decoding, so a compressed bomb is cut too) and a redirect limit;
- redirects are followed by hand, each hop's URL checked (http/https only, robots.txt) and
  each connection checked by the address guard (``marsad.fetch.guard``);
- an identifying User-Agent with the contact the user sets.

Everything that fails raises a ``FetchError`` (``AddressRefused``, ``RobotsDisallowed``)
naming the URL; nothing else escapes.
"""

from __future__ import annotations

import email.utils
import ssl
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

from marsad import __version__
from marsad.errors import AddressRefused, FetchError, RobotsDisallowed
from marsad.fetch.guard import GuardedBackend, check_url, normalize_hosts

ROBOTS_AGENT = "marsad"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass
class FetchConfig:
    """How marsad fetches. The defaults are those of a polite news monitor.

    ``contact``: an e-mail or URL put in the User-Agent so a site's operators can reach the
    person running marsad. ``delay``: seconds between two requests to one host (1.0: one a
    second, what most sites' robots.txt and crawler guidelines accept). ``host_concurrency``
    / ``concurrency``: requests in flight to one host / overall. ``timeout``: connect and
    read timeout; ``total_timeout``: the most one response may take to arrive whole (a slow
    drip is cut). ``max_bytes``: the largest body read (10 MB: a news page is 50-500 kB, a
    news sitemap at most the 50,000 URLs the protocol allows, about 10 MB).
    ``max_redirects``: redirect hops followed. ``retries``: further tries after a 429/5xx or
    a network error, ``backoff`` seconds doubling each time unless ``Retry-After`` asks for
    more, and never more than ``max_retry_after`` seconds (beyond that the URL fails for this
    round). ``allow_hosts``: host names exempt from the address guard (e.g. a test server
    on 127.0.0.1, or an intranet outlet). ``robots_ttl``: seconds robots.txt is cached.
    """

    contact: str | None = None
    delay: float = 1.0
    host_concurrency: int = 1
    concurrency: int = 8
    timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    retries: int = 3
    backoff: float = 2.0
    max_retry_after: float = 300.0
    allow_hosts: frozenset[str] = frozenset()
    robots_ttl: float = 86_400.0
    max_crawl_delay: float = 60.0  # a robots.txt Crawl-delay above this is capped, not obeyed

    def __post_init__(self) -> None:
        self.allow_hosts = normalize_hosts(self.allow_hosts)

    @property
    def user_agent(self) -> str:
        contact = self.contact or "no contact set"
        return f"marsad/{__version__} (Arabic news monitor; +{contact})"


@dataclass
class Fetched:
    """One answer: ``status`` 200 with ``body``, or 304 (``not_modified``) with none."""

    url: str
    final_url: str
    status: int
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Stopped(FetchError):
    """The fetcher was asked to stop before this URL was fetched."""


# -- the guarded transport --------------------------------------------------------------------
_HTTPCORE_ERRORS = tuple(getattr(httpcore, n) for n in (
    "TimeoutException", "NetworkError", "ProtocolError", "ProxyError", "UnsupportedProtocol")
    if hasattr(httpcore, n))


def _problem(exc: Exception) -> str:
    if isinstance(exc, httpcore.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    return f"network error ({type(exc).__name__}: {exc})"


class _Stream(httpx.SyncByteStream):
    def __init__(self, stream, url: str):
        self._stream, self._url = stream, url

    def __iter__(self) -> Iterator[bytes]:
        try:
            for part in self._stream:
                yield part
        except _HTTPCORE_ERRORS as exc:
            raise FetchError(self._url, _problem(exc)) from None

    def close(self) -> None:
        if hasattr(self._stream, "close"):
            self._stream.close()


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport whose every connection goes through the address guard. It reads
    no proxy settings from the environment (a proxy would connect where the guard cannot see)."""

    def __init__(self, allow_hosts: frozenset[str], max_connections: int = 16):
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl.create_default_context(), max_connections=max_connections,
            keepalive_expiry=5.0, network_backend=GuardedBackend(allow_hosts))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        req = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host,
                             port=request.url.port, target=request.url.raw_path),
            headers=request.headers.raw, content=request.stream, extensions=request.extensions)
        try:
            resp = self._pool.handle_request(req)
        except _HTTPCORE_ERRORS as exc:
            raise FetchError(url, _problem(exc)) from None
        return httpx.Response(status_code=resp.status, headers=resp.headers,
                              stream=_Stream(resp.stream, url), extensions=resp.extensions)

    def close(self) -> None:
        self._pool.close()


# -- per-host politeness ------------------------------------------------------------------------
class _Host:
    def __init__(self, concurrency: int, delay: float):
        self.slots = threading.Semaphore(concurrency)
        self.lock = threading.Lock()
        self.next_at = 0.0
        self.delay = delay


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def crawl_delay(robots_txt: str, agent: str = ROBOTS_AGENT) -> float | None:
    """The ``Crawl-delay`` robots.txt sets for ``agent`` (else for ``*``), decimals allowed
    (the standard library's parser reads whole seconds only)."""
    delays: dict[str, float] = {}
    agents: list[str] = []
    in_rules = False
    for line in robots_txt.splitlines():
        key, _, value = line.split("#", 1)[0].partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "user-agent":
            if in_rules:
                agents, in_rules = [], False
            agents.append(value.lower())
        elif key in ("allow", "disallow", "crawl-delay") and agents:
            in_rules = True
            if key == "crawl-delay":
                try:
                    d = float(value)
                except ValueError:
                    continue
                for a in agents:
                    delays.setdefault(a, d)
    for a, d in delays.items():
        if a != "*" and a in agent.lower():
            return d
    return delays.get("*")


class Fetcher:
    """Polite, guarded HTTP GETs (see the module docstring). Thread-safe: one Fetcher is
    shared by every thread of a watch round. ``stop`` (a ``threading.Event``) makes every
    wait end early and every later request raise ``Stopped``."""

    def __init__(self, config: FetchConfig | None = None, stop: threading.Event | None = None):
        self.config = config or FetchConfig()
        self.stop = stop or threading.Event()
        c = self.config
        self._client = httpx.Client(
            transport=GuardedTransport(c.allow_hosts, max_connections=max(4, c.concurrency * 2)),
            follow_redirects=False, trust_env=False,
            timeout=httpx.Timeout(c.timeout),
            headers={"User-Agent": c.user_agent,
                     "Accept-Language": "ar,en;q=0.5"})
        self._overall = threading.Semaphore(max(1, c.concurrency))
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self._robots: dict[str, tuple[float, RobotFileParser | bool]] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self.requests = 0  # requests sent (robots.txt included), for reports and tests

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ---------------------------------------------------------------------------
    def get(self, url: str, etag: str | None = None, last_modified: str | None = None,
            accept: str = "*/*", robots: bool = True, max_bytes: int | None = None) -> Fetched:
        """GET ``url``: a ``Fetched`` with status 200 (body read) or 304; any other outcome
        raises a ``FetchError`` naming the URL (``AddressRefused``, ``RobotsDisallowed``,
        HTTP errors, timeouts, too large, too many redirects, ``Stopped``)."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _hop in range(self.config.max_redirects + 1):
            check_url(current)
            if robots and not self.allowed(current):
                raise RobotsDisallowed(current, "robots.txt does not allow marsad to fetch it")
            status, resp_headers, body = self._request(current, headers, max_bytes)
            if status in REDIRECT_STATUSES and resp_headers.get("location"):
                current = urljoin(current, resp_headers["location"])
                continue
            if status == 200 or status == 304:
                return Fetched(url, current, status, resp_headers, body)
            raise FetchError(current, f"HTTP {status}")
        raise FetchError(url, f"more than {self.config.max_redirects} redirects")

    def allowed(self, url: str) -> bool:
        """Whether the site's robots.txt lets marsad fetch ``url`` (read once, cached)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        with self._hosts_lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:
            cached = self._robots.get(origin)
            if cached is None or cached[0] < time.monotonic():
                cached = self._read_robots(origin)
                self._robots[origin] = cached
        rules = cached[1]
        if isinstance(rules, bool):
            return rules
        return rules.can_fetch(ROBOTS_AGENT, url)

    # -- internals ------------------------------------------------------------------------
    def _read_robots(self, origin: str) -> tuple[float, RobotFileParser | bool]:
        url = origin + "/robots.txt"
        now = time.monotonic()
        try:
            got = self.get(url, robots=False, max_bytes=500_000)
        except AddressRefused:
            raise
        except Stopped:
            raise
        except FetchError as exc:
            # RFC 9309: a robots.txt that does not exist (4xx) allows everything; one that
            # cannot be reached (5xx, network) disallows everything for now (retried in 10 min).
            if exc.problem.startswith("HTTP 4"):
                return now + self.config.robots_ttl, True
            return now + 600, False
        text = got.body.decode("utf-8", "replace")
        rules = RobotFileParser(url)
        rules.parse(text.splitlines())
        delay = crawl_delay(text)
        if delay:
            host = self._host(urlsplit(origin).netloc.lower())
            host.delay = max(host.delay, min(float(delay), self.config.max_crawl_delay))
        return now + self.config.robots_ttl, rules

    def _host(self, netloc: str) -> _Host:
        with self._hosts_lock:
            h = self._hosts.get(netloc)
            if h is None:
                h = self._hosts[netloc] = _Host(max(1, self.config.host_concurrency), self.config.delay)
            return h

    def _wait(self, seconds: float, url: str) -> None:
        if seconds > 0 and self.stop.wait(seconds):
            raise Stopped(url, "not fetched: stopping")
        if self.stop.is_set():
            raise Stopped(url, "not fetched: stopping")

    def _acquire(self, sem: threading.Semaphore, url: str) -> None:
        while not sem.acquire(timeout=0.2):
            if self.stop.is_set():
                raise Stopped(url, "not fetched: stopping")

    @contextmanager
    def _slot(self, url: str):
        """One request's turn: the host's delay kept, a free slot at the host, then one overall
        (a request waiting for its host holds no overall slot)."""
        host = self._host(urlsplit(url).netloc.lower())
        self._acquire(host.slots, url)
        try:
            while True:
                with host.lock:
                    now = time.monotonic()
                    if host.next_at <= now:
                        host.next_at = now + host.delay
                        break
                    wait = host.next_at - now
                self._wait(wait, url)
            self._acquire(self._overall, url)
            try:
                yield host
            finally:
                # the next request to this host waits `delay` from when this one ended, so the
                # site sees at least `delay` between two requests however long each took
                with host.lock:
                    host.next_at = max(host.next_at, time.monotonic() + host.delay)
                self._overall.release()
        finally:
            host.slots.release()

    def _request(self, url: str, headers: dict[str, str], max_bytes: int | None,
                 ) -> tuple[int, httpx.Headers, bytes]:
        c = self.config
        attempt = 0
        while True:
            with self._slot(url) as host:
                try:
                    status, resp_headers, body = self._send(url, headers, max_bytes or c.max_bytes)
                    problem = None
                except (AddressRefused, Stopped):
                    raise
                except FetchError as exc:
                    if not (exc.problem.startswith("timed out") or exc.problem.startswith("network")):
                        raise
                    status, resp_headers, body, problem = 0, httpx.Headers(), b"", exc.problem
            if status not in RETRY_STATUSES and status != 0:
                return status, resp_headers, body
            if attempt >= c.retries:
                raise FetchError(url, problem or f"HTTP {status} after {attempt + 1} tries")
            wait = c.backoff * (2 ** attempt)
            asked = retry_after(resp_headers.get("retry-after"))
            if asked is not None:
                if asked > c.max_retry_after:
                    raise FetchError(url, f"HTTP {status}: the site asks to wait {asked:.0f} s "
                                          f"(more than {c.max_retry_after:.0f}); retried next round")
                wait = max(wait if status == 0 else 0.0, asked)
            with host.lock:  # the whole host waits, not only this request
                host.next_at = max(host.next_at, time.monotonic() + wait)
            attempt += 1

    def _send(self, url: str, headers: dict[str, str], max_bytes: int) -> tuple[int, httpx.Headers, bytes]:
        c = self.config
        deadline = time.monotonic() + c.total_timeout
        self.requests += 1
        try:
            with self._client.stream("GET", url, headers=headers) as resp:
                if resp.status_code != 200:
                    return resp.status_code, resp.headers, b""
                length = resp.headers.get("content-length", "")
                if length.isdigit() and int(length) > max_bytes:
                    raise FetchError(url, f"response too large ({int(length)} bytes; at most {max_bytes})")
                buf = bytearray()
                stop_seen = 0.0
                for chunk in resp.iter_bytes():
                    buf += chunk
                    now = time.monotonic()
                    if len(buf) > max_bytes:
                        raise FetchError(url, f"response too large (over {max_bytes} bytes)")
                    if now > deadline:
                        raise FetchError(url, f"too slow (the response took over {c.total_timeout:.0f} s)")
                    if self.stop.is_set():  # a response under way may finish, for `timeout` more seconds
                        stop_seen = stop_seen or now
                        if now - stop_seen > c.timeout:
                            raise Stopped(url, "not fetched: stopping")
                return 200, resp.headers, bytes(buf)
        except httpx.DecodingError as exc:
            raise FetchError(url, f"undecodable content encoding ({exc})") from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"network error ({type(exc).__name__}: {exc})") from None
