"""A synchronous wrapper around matrix-nio's AsyncClient, plus helpers that look at a
room's timeline from a user's point of view (what did the bot answer, and how often)."""

from __future__ import annotations

import asyncio
import time
import uuid
import urllib.parse
from typing import Any, Iterable, Optional

import aiohttp
from nio import AsyncClient, AsyncClientConfig, RoomPreset, RoomVisibility
from nio.responses import ErrorResponse

from .util import HttpError, TimeoutExpired, http_json, wait_for

_LOOP: Optional[asyncio.AbstractEventLoop] = None


def event_loop() -> asyncio.AbstractEventLoop:
    """The one event loop all harness clients run on (tests are synchronous)."""
    global _LOOP
    if _LOOP is None or _LOOP.is_closed():
        _LOOP = asyncio.new_event_loop()
    return _LOOP


def run(coro):
    return event_loop().run_until_complete(coro)


class MatrixError(AssertionError):
    pass


def _check(resp):
    if isinstance(resp, ErrorResponse):
        raise MatrixError(f"{type(resp).__name__}: {resp.status_code} {resp.message}")
    return resp


def relates_to(event: dict) -> dict:
    return (event.get("content") or {}).get("m.relates_to") or {}


def in_reply_to(event: dict) -> Optional[str]:
    return (relates_to(event).get("m.in_reply_to") or {}).get("event_id")


class Client:
    """One logged-in user. Every method blocks until the request has completed."""

    def __init__(self, homeserver: str, user_id: str, access_token: str,
                 device_id: str = "", ssl: Any = None):
        self.homeserver = homeserver.rstrip("/")
        self.user_id = user_id
        self.access_token = access_token
        self.device_id = device_id
        self.nio = AsyncClient(self.homeserver, user_id, device_id=device_id or None,
                               config=AsyncClientConfig(request_timeout=30,
                                                        max_timeouts=3), ssl=ssl)
        self.nio.access_token = access_token
        self.nio.user_id = user_id

    @classmethod
    def from_login(cls, homeserver: str, login: dict) -> "Client":
        return cls(homeserver, login["user_id"], login["access_token"],
                   login.get("device_id", ""))

    def close(self) -> None:
        run(self.nio.close())

    # -- plain HTTP for raw JSON -----------------------------------------------------
    def api(self, method: str, path: str, body=None, timeout: float = 15.0):
        return http_json(method, f"{self.homeserver}{path}", body,
                         token=self.access_token, timeout=timeout)

    # -- rooms -----------------------------------------------------------------------
    def create_room(self, alias: Optional[str] = None, name: Optional[str] = None,
                    public: bool = True, invite: Iterable[str] = (),
                    initial_state: Iterable[dict] = (), is_direct: bool = False,
                    preset: Optional[RoomPreset] = None) -> str:
        """Create a room (public by default, so anyone may join). alias is a localpart."""
        if preset is None:
            preset = RoomPreset.public_chat if public else RoomPreset.private_chat
        resp = run(self.nio.room_create(
            visibility=RoomVisibility.private, alias=alias, name=name,
            invite=list(invite), initial_state=list(initial_state),
            is_direct=is_direct, preset=preset, federate=False))
        return _check(resp).room_id

    def resolve_alias(self, alias: str) -> Optional[str]:
        try:
            return self.api("GET", "/_matrix/client/v3/directory/room/"
                            + urllib.parse.quote(alias))["room_id"]
        except HttpError as e:
            if e.status == 404:
                return None
            raise

    def join(self, room: str) -> str:
        return _check(run(self.nio.join(room))).room_id

    def leave(self, room_id: str) -> None:
        _check(run(self.nio.room_leave(room_id)))

    def invite(self, room_id: str, user_id: str) -> None:
        _check(run(self.nio.room_invite(room_id, user_id)))

    def put_state(self, room_id: str, event_type: str, content: dict,
                  state_key: str = "") -> str:
        return _check(run(self.nio.room_put_state(room_id, event_type, content,
                                                  state_key=state_key))).event_id

    def get_state(self, room_id: str, event_type: str, state_key: str = "") -> Optional[dict]:
        path = (f"/_matrix/client/v3/rooms/{urllib.parse.quote(room_id)}/state/"
                f"{urllib.parse.quote(event_type)}/{urllib.parse.quote(state_key)}")
        try:
            return self.api("GET", path)
        except HttpError as e:
            if e.status == 404:
                return None
            raise

    def membership(self, room_id: str, user_id: str) -> Optional[str]:
        content = self.get_state(room_id, "m.room.member", user_id)
        return content.get("membership") if content else None

    def wait_membership(self, room_id: str, user_id: str, membership: str,
                        timeout: float = 20.0) -> None:
        wait_for(lambda: self.membership(room_id, user_id) == membership,
                 timeout=timeout, interval=0.2,
                 what=f"{user_id} membership {membership} in {room_id}")

    # -- sending ---------------------------------------------------------------------
    def send_event(self, room_id: str, event_type: str, content: dict) -> str:
        # One txn id for all attempts: a retry after a dropped connection (e.g. across a
        # Synapse restart) can never create a second event.
        txn = uuid.uuid4().hex
        for attempt in range(5):
            try:
                return _check(run(self.nio.room_send(
                    room_id, event_type, content, tx_id=txn,
                    ignore_unverified_devices=True))).event_id
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
                if attempt == 4:
                    raise
                time.sleep(0.5)
        raise AssertionError("unreachable")

    def bot_messages(self, room_id: str, sender: str) -> list:
        """The sender's m.room.message events (what a bot said), oldest first."""
        return [e for e in self.events_from(room_id, sender)
                if e.get("type") == "m.room.message"]

    def send(self, room_id: str, body: str, msgtype: str = "m.text",
             mentions: Optional[list] = None, thread_root: Optional[str] = None,
             reply_to: Optional[str] = None, **extra) -> str:
        """Send an m.room.message. mentions=None sends an empty m.mentions (as modern
        clients do); thread_root puts the message in that thread."""
        content: dict = {"msgtype": msgtype, "body": body,
                         "m.mentions": {"user_ids": list(mentions or [])}}
        rel: dict = {}
        if thread_root:
            rel = {"rel_type": "m.thread", "event_id": thread_root,
                   "is_falling_back": reply_to is None,
                   "m.in_reply_to": {"event_id": reply_to or thread_root}}
        elif reply_to:
            rel = {"m.in_reply_to": {"event_id": reply_to}}
        if rel:
            content["m.relates_to"] = rel
        content.update(extra)
        return self.send_event(room_id, "m.room.message", content)

    def edit(self, room_id: str, event_id: str, new_body: str) -> str:
        content = {
            "msgtype": "m.text",
            "body": f"* {new_body}",
            "m.new_content": {"msgtype": "m.text", "body": new_body},
            "m.relates_to": {"rel_type": "m.replace", "event_id": event_id},
        }
        return self.send_event(room_id, "m.room.message", content)

    # -- reading the timeline ----------------------------------------------------------
    def messages(self, room_id: str, max_events: int = 2000) -> list:
        """All timeline events of the room visible to this user, oldest first."""
        events: list = []
        token = None
        base = f"/_matrix/client/v3/rooms/{urllib.parse.quote(room_id)}/messages"
        while len(events) < max_events:
            q = {"dir": "b", "limit": "200"}
            if token:
                q["from"] = token
            page = self.api("GET", f"{base}?{urllib.parse.urlencode(q)}")
            chunk = page.get("chunk") or []
            events.extend(chunk)
            token = page.get("end")
            if not chunk or not token:
                break
        events.reverse()
        return events

    def events_from(self, room_id: str, sender: str) -> list:
        """Every timeline event (any type, state included) this sender made in the room."""
        return [e for e in self.messages(room_id) if e.get("sender") == sender]

    def replies_to(self, room_id: str, sender: str, event_id: str) -> list:
        return [e for e in self.events_from(room_id, sender) if in_reply_to(e) == event_id]

    def wait_replies(self, room_id: str, sender: str, event_id: str, count: int = 1,
                     timeout: float = 25.0) -> list:
        """Wait until `sender` has at least `count` events replying to event_id."""
        return wait_for(
            lambda: (r if len(r := self.replies_to(room_id, sender, event_id)) >= count
                     else None),
            timeout=timeout, interval=0.25,
            what=f"{count} reply(ies) from {sender} to {event_id} in {room_id}")

    def wait_reply(self, room_id: str, sender: str, event_id: str,
                   timeout: float = 25.0) -> dict:
        return self.wait_replies(room_id, sender, event_id, 1, timeout)[0]

    def wait_events_from(self, room_id: str, sender: str, count: int = 1,
                         timeout: float = 25.0, event_type: Optional[str] = None) -> list:
        def got():
            evs = [e for e in self.events_from(room_id, sender)
                   if event_type is None or e.get("type") == event_type]
            return evs if len(evs) >= count else None
        return wait_for(got, timeout=timeout, interval=0.25,
                        what=f"{count} event(s) from {sender} in {room_id}")

    def assert_replies_exactly_once(self, room_id: str, sender: str,
                                    event_ids: Iterable[str], settle: float = 1.5,
                                    timeout: float = 25.0) -> dict:
        """Every event in event_ids gets a reply, then (after `settle` seconds of
        quiet) none has more than one. Returns {event_id: reply}."""
        event_ids = list(event_ids)
        deadline = time.monotonic() + timeout
        for eid in event_ids:
            self.wait_reply(room_id, sender, eid, timeout=max(1.0, deadline - time.monotonic()))
        time.sleep(settle)
        bot = self.events_from(room_id, sender)
        out = {}
        for eid in event_ids:
            r = [e for e in bot if in_reply_to(e) == eid]
            if len(r) != 1:
                raise AssertionError(
                    f"expected exactly one reply to {eid}, got {len(r)}: {r}")
            out[eid] = r[0]
        return out


def login_client(homeserver: str, login: dict) -> Client:
    return Client.from_login(homeserver, login)
