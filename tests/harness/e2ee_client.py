"""An end-to-end encrypting Matrix user for the tests: matrix-nio with its e2e extra (Olm and
Megolm by vodozemac's Python bindings), independent of camas's own crypto (matrix-sdk-crypto).
It keeps its keys in a store directory, uploads and claims keys and sends to-device messages
after each sync as nio's sync_forever would, sends encrypted messages and decrypts what
arrives. Everything blocks (the harness runs one asyncio loop).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

from nio import (AsyncClient, AsyncClientConfig, MegolmEvent, RoomMessageNotice,
                 RoomMessageText, RoomPreset, RoomVisibility)
from nio.crypto import ENCRYPTION_ENABLED

from .client import _check, in_reply_to, run

ENCRYPTION_STATE = {"type": "m.room.encryption", "state_key": "",
                    "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


class E2EEClient:
    """One device of one user, with its own crypto store."""

    def __init__(self, homeserver: str, login: dict, store_dir: Path):
        if not ENCRYPTION_ENABLED:
            raise RuntimeError("matrix-nio was installed without its e2e extra (vodozemac)")
        store_dir.mkdir(parents=True, exist_ok=True)
        self.user_id = login["user_id"]
        self.device_id = login["device_id"]
        self.nio = AsyncClient(homeserver, self.user_id, device_id=self.device_id,
                               store_path=str(store_dir),
                               config=AsyncClientConfig(encryption_enabled=True,
                                                        store_sync_tokens=True,
                                                        request_timeout=30, max_timeouts=3))
        self.nio.restore_login(self.user_id, self.device_id, login["access_token"])
        # Every room event seen, decrypted when nio could (RoomMessageText/Notice with
        # .decrypted True), else MegolmEvent: (room_id, event).
        self.events: list = []
        self.nio.add_event_callback(self._on_event,
                                    (RoomMessageText, RoomMessageNotice, MegolmEvent))
        self.sync(0)

    async def _on_event(self, room, event) -> None:
        self.events.append((room.room_id, event))

    async def _crypto_requests(self) -> None:
        nio = self.nio
        if nio.should_upload_keys:
            _check(await nio.keys_upload())
        if nio.should_query_keys:
            _check(await nio.keys_query())
        if nio.should_claim_keys:
            _check(await nio.keys_claim(nio.get_users_for_key_claiming()))
        await nio.send_to_device_messages()

    def sync(self, timeout_ms: int = 0) -> None:
        _check(run(self.nio.sync(timeout=timeout_ms)))
        run(self._crypto_requests())

    def close(self) -> None:
        run(self.nio.close())

    # -- rooms ---------------------------------------------------------------------------
    def create_encrypted_room(self, invite=(), is_direct: bool = False) -> str:
        preset = RoomPreset.trusted_private_chat if is_direct else RoomPreset.private_chat
        resp = run(self.nio.room_create(visibility=RoomVisibility.private, invite=list(invite),
                                        initial_state=[ENCRYPTION_STATE], is_direct=is_direct,
                                        preset=preset, federate=False))
        room_id = _check(resp).room_id
        self.sync(0)
        return room_id

    def join(self, room_id: str) -> None:
        _check(run(self.nio.join(room_id)))
        self.sync(0)

    def leave(self, room_id: str) -> None:
        _check(run(self.nio.room_leave(room_id)))
        self.sync(0)

    def invite(self, room_id: str, user_id: str) -> None:
        _check(run(self.nio.room_invite(room_id, user_id)))

    # -- messages ------------------------------------------------------------------------
    def send(self, room_id: str, body: str, mentions: Optional[list] = None) -> str:
        """Sends an encrypted m.text (nio shares its room key with every member's devices,
        camas's included, first)."""
        self.sync(0)  # the room's members and their devices as they are now
        run(self.nio.joined_members(room_id))
        content = {"msgtype": "m.text", "body": body,
                   "m.mentions": {"user_ids": list(mentions or [])}}
        resp = run(self.nio.room_send(room_id, "m.room.message", content,
                                      ignore_unverified_devices=True))
        return _check(resp).event_id

    def replies(self, room_id: str, sender: str, event_id: str) -> list:
        return [e for r, e in self.events
                if r == room_id and e.sender == sender and in_reply_to(_source(e)) == event_id]

    def wait_reply(self, room_id: str, sender: str, event_id: str, timeout: float = 40.0,
                   decrypted: bool = True):
        """Syncs until sender's reply to event_id arrives: the decrypted event (or, with
        decrypted=False, whatever arrived first, a MegolmEvent when nio cannot decrypt)."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.replies(room_id, sender, event_id)
            ok = [e for e in got if not isinstance(e, MegolmEvent)]
            if ok or (got and not decrypted):
                return (ok or got)[0]
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no {'readable ' if decrypted else ''}reply from {sender} to {event_id} "
                    f"within {timeout:.0f} s (got {got!r})")
            self.sync(1000)


def _source(event) -> dict:
    """The event as sent (for a decrypted one: its decrypted content; nio keeps the clear
    m.relates_to of the encrypted event there)."""
    src = dict(event.source)
    if isinstance(event, MegolmEvent):
        return src
    return src
