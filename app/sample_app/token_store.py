"""Server-side storage for the Logto SDK's tokens of signed-in browser sessions.

Why: the SDK's default storage is one in-memory object shared by every client (one user's tokens would be
served to the next), and Flask's cookie session cannot hold tokens (they pass the 4 KB cookie limit and
would sit in the browser). So tokens live here, keyed by a random session id kept in Flask's signed cookie.
An entry is made only when a sign-in completes (storage.py keeps the pending sign-in in the cookie), so
requests of browsers that are not signed in never add one.

The store is in-process: it is only correct with ONE server process (gunicorn.conf.py runs one worker with
threads), and a restart signs everyone out. It is bounded: entries idle longer than `idle_timeout` seconds
expire, and past `max_sessions` the least recently used entry is dropped.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class _Entry:
    last_used: float
    values: dict[str, str] = field(default_factory=dict)


class TokenStore:
    """Thread-safe map of session id -> {SDK storage key -> value}, with idle expiry and an LRU bound."""

    def __init__(self, max_sessions: int, idle_timeout: float, clock: Callable[[], float] = time.monotonic) -> None:
        if max_sessions < 1 or idle_timeout <= 0:
            raise ValueError("TokenStore needs max_sessions >= 1 and idle_timeout > 0")
        self._max_sessions = max_sessions
        self._idle_timeout = idle_timeout
        self._clock = clock
        self._lock = threading.Lock()
        # Ordered from least to most recently used, so expired and evictable entries are at the front.
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def get(self, session_id: str, key: str) -> str | None:
        with self._lock:
            entry = self._touch(session_id)
            return entry.values.get(key) if entry is not None else None

    def set(self, session_id: str, key: str, value: str) -> None:
        with self._lock:
            entry = self._touch(session_id)
            if entry is None:
                self._make_room()
                entry = self._entries[session_id] = _Entry(self._clock())
            entry.values[key] = value

    def delete(self, session_id: str, key: str) -> None:
        with self._lock:
            entry = self._touch(session_id)
            if entry is not None:
                entry.values.pop(key, None)

    def discard(self, session_id: str) -> None:
        """Forgets everything stored for the session (sign-out, or a new sign-in)."""
        with self._lock:
            self._entries.pop(session_id, None)

    def __len__(self) -> int:
        with self._lock:
            self._drop_expired()
            return len(self._entries)

    def _touch(self, session_id: str) -> _Entry | None:
        self._drop_expired()
        entry = self._entries.get(session_id)
        if entry is not None:
            entry.last_used = self._clock()
            self._entries.move_to_end(session_id)
        return entry

    def _drop_expired(self) -> None:
        oldest_allowed = self._clock() - self._idle_timeout
        while self._entries:
            session_id, entry = next(iter(self._entries.items()))
            if entry.last_used > oldest_allowed:
                return
            del self._entries[session_id]

    def _make_room(self) -> None:
        while len(self._entries) >= self._max_sessions:
            self._entries.popitem(last=False)
