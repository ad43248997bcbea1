"""Counting abuse in fixed windows in the shared cache: the one rate-limit
helper behind certificate verification, offline-session check-in and the
current-password check of the password-change forms.

Counters live in Django's default cache. In production that is Redis
(``CACHE_URL``), so every web worker counts into the same key: ``add`` is
``SET NX`` and ``incr`` is ``INCRBY``, both atomic, so concurrent requests
never lose a count. With the per-process local-memory cache (dev, tests)
each process counts alone; see docs/decisions/0071-shared-rate-limits.md.
"""

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache


def clock() -> float:
    """Seconds since the epoch; tests move it on to end a window."""
    return time.time()


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` counted events per ``window`` seconds for one key of
    ``scope`` (e.g. one address, one certificate, one teacher)."""

    scope: str
    limit: int
    window: int


@dataclass(frozen=True)
class Usage:
    count: int
    limit: int
    seconds_left: int

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit

    @property
    def exhausted(self) -> bool:
        """No further event may be allowed in this window."""
        return self.count >= self.limit

    @property
    def minutes_left(self) -> int:
        return max(1, -(-self.seconds_left // 60))


def _cache_key(limit: Limit, key: str, now: float) -> str:
    # Hashed: keys carry user input (a serial, a token) of any length.
    digest = hashlib.sha256(str(key).encode()).hexdigest()[:32]
    return f"ratelimit:{limit.scope}:{digest}:{int(now // limit.window)}"


def _seconds_left(limit: Limit, now: float) -> int:
    return max(1, int(limit.window - now % limit.window))


def hit(limit: Limit, key: str) -> Usage:
    """Count one event for ``key`` and return the count in this window,
    this event included."""
    now = clock()
    cache_key = _cache_key(limit, key, now)
    # The expiry outlives the window a little so a late incr never lands on
    # a key that has just expired (which would raise ValueError).
    cache.add(cache_key, 0, timeout=limit.window + 60)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.add(cache_key, 1, timeout=limit.window + 60)
        count = 1
    return Usage(count=count, limit=limit.limit, seconds_left=_seconds_left(limit, now))


def refund(limit: Limit, key: str) -> None:
    """Take back one event counted by ``hit`` in this window: for counting
    only failures while still reserving a count before the outcome is
    known, so concurrent tries cannot all slip under the limit."""
    try:
        cache.decr(_cache_key(limit, key, clock()))
    except ValueError:  # the window has just turned over: nothing to refund
        pass


def peek(limit: Limit, key: str) -> Usage:
    """The count for ``key`` in this window, without counting."""
    now = clock()
    return Usage(count=cache.get(_cache_key(limit, key, now), 0), limit=limit.limit,
                 seconds_left=_seconds_left(limit, now))


def client_address(request) -> str | None:
    """The address rate limits and sign-in lockouts count against:
    REMOTE_ADDR only, None when there is none (a request built in code).
    The reverse proxy must pass the real client address
    (docs/operations.md); X-Forwarded-For is not trusted, since any client
    can send one."""
    return request.META.get("REMOTE_ADDR") or None


# No account's username is longer (Django's own limit); the sign-in forms do
# not enforce it, and axes stores what this returns in a 255-character column.
SIGNIN_USERNAME_MAX = 150


def signin_username(request, credentials) -> str:
    """The username sign-in failures are counted against (django-axes):
    case and surrounding spaces do not make a new one, and a name longer
    than any account's counts by its first 150 characters."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(username).strip().casefold()[:SIGNIN_USERNAME_MAX]
