"""The bounded token store of signed-in sessions, and the SDK's Storage over it and the browser's cookie."""

from __future__ import annotations

import pytest

from sample_app.storage import PENDING_SIGN_IN_COOKIE_KEY, PENDING_SIGN_IN_MAX_AGE_SECONDS, BrowserStorage
from sample_app.token_store import TokenStore


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sessions_are_kept_apart() -> None:
    store = TokenStore(max_sessions=10, idle_timeout=60)
    alice, bob = BrowserStorage(store, {}, "a"), BrowserStorage(store, {}, "b")

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


def test_discard_forgets_a_session() -> None:
    store = TokenStore(max_sessions=10, idle_timeout=60)
    store.set("s", "idToken", "t")

    store.discard("s")

    assert store.get("s", "idToken") is None
    assert len(store) == 0


def test_setting_none_deletes_the_key() -> None:
    store = TokenStore(max_sessions=10, idle_timeout=60)
    storage = BrowserStorage(store, {}, "s")
    storage.set("refreshToken", "r")

    storage.set("refreshToken", None)

    assert storage.get("refreshToken") is None


@pytest.mark.parametrize(("max_sessions", "idle_timeout"), [(0, 60), (10, 0)])
def test_bounds_must_be_positive(max_sessions: int, idle_timeout: float) -> None:
    with pytest.raises(ValueError, match="max_sessions >= 1 and idle_timeout > 0"):
        TokenStore(max_sessions, idle_timeout)


def test_the_pending_sign_in_goes_to_the_cookie_and_never_to_the_store() -> None:
    store, cookie, clock = TokenStore(max_sessions=10, idle_timeout=60), {}, FakeClock()
    before_sign_in = BrowserStorage(store, cookie, None, clock)

    before_sign_in.set("signInSession", '{"state": "s"}')
    before_sign_in.delete("idToken")  # What the SDK's signIn does: nothing to delete yet.

    assert cookie == {PENDING_SIGN_IN_COOKIE_KEY: {"value": '{"state": "s"}', "started": 1000}}
    assert len(store) == 0
    assert BrowserStorage(store, cookie, "new-session", clock).get("signInSession") == '{"state": "s"}'
    with pytest.raises(RuntimeError, match="stored 'idToken' before sign-in completed"):
        before_sign_in.set("idToken", "t")


def test_a_pending_sign_in_expires_and_is_removed_by_the_sdks_delete() -> None:
    cookie: dict[str, object] = {}
    clock = FakeClock()
    storage = BrowserStorage(TokenStore(max_sessions=10, idle_timeout=60), cookie, None, clock)
    storage.set("signInSession", "pending")

    clock.now += PENDING_SIGN_IN_MAX_AGE_SECONDS
    assert storage.get("signInSession") == "pending"
    clock.now += 1
    assert storage.get("signInSession") is None

    storage.delete("signInSession")
    assert cookie == {}


@pytest.mark.parametrize("tampered", [None, "not-a-dict", {"value": 3, "started": 1000}, {"value": "v"}])
def test_a_malformed_pending_sign_in_counts_as_none(tampered: object) -> None:
    storage = BrowserStorage(TokenStore(10, 60), {PENDING_SIGN_IN_COOKIE_KEY: tampered}, None, FakeClock())

    assert storage.get("signInSession") is None
