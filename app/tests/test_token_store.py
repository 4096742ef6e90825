"""The bounded, per-session token store behind the SDK's Storage interface."""

from __future__ import annotations

import pytest

from sample_app.token_store import SessionTokenStorage, TokenStore


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sessions_are_kept_apart() -> None:
    store = TokenStore(max_sessions=10, idle_timeout=60)
    alice, bob = SessionTokenStorage(store, "a"), SessionTokenStorage(store, "b")

    alice.set("idToken", "alice-token")

    assert alice.get("idToken") == "alice-token"
    assert bob.get("idToken") is None


def test_idle_sessions_expire_and_used_ones_stay() -> None:
    clock = FakeClock()
    store = TokenStore(max_sessions=10, idle_timeout=60, clock=clock)
    store.set("idle", "idToken", "1")
    store.set("busy", "idToken", "2")

    clock.now += 40
    assert store.get("busy", "idToken") == "2"
    clock.now += 40

    assert store.get("idle", "idToken") is None
    assert store.get("busy", "idToken") == "2"
    assert len(store) == 1


def test_the_least_recently_used_session_is_dropped_when_full() -> None:
    clock = FakeClock()
    store = TokenStore(max_sessions=2, idle_timeout=60, clock=clock)
    store.set("first", "idToken", "1")
    clock.now += 1
    store.set("second", "idToken", "2")
    clock.now += 1
    store.get("first", "idToken")

    store.set("third", "idToken", "3")

    assert len(store) == 2
    assert store.get("second", "idToken") is None
    assert store.get("first", "idToken") == "1"


def test_move_re_keys_a_session_and_discard_forgets_it() -> None:
    store = TokenStore(max_sessions=10, idle_timeout=60)
    store.set("before", "signInSession", "s")

    store.move("before", "after")
    assert store.get("before", "signInSession") is None
    assert store.get("after", "signInSession") == "s"

    store.discard("after")
    assert len(store) == 0


def test_setting_none_deletes_the_key() -> None:
    store = TokenStore(max_sessions=10, idle_timeout=60)
    storage = SessionTokenStorage(store, "s")
    storage.set("refreshToken", "r")

    storage.set("refreshToken", None)

    assert storage.get("refreshToken") is None


@pytest.mark.parametrize(("max_sessions", "idle_timeout"), [(0, 60), (10, 0)])
def test_bounds_must_be_positive(max_sessions: int, idle_timeout: float) -> None:
    with pytest.raises(ValueError, match="max_sessions >= 1 and idle_timeout > 0"):
        TokenStore(max_sessions, idle_timeout)
