"""scripts/demo: a local Synapse, the camas bot and a chat prompt as @you:localhost.

State lives under ./demo/ (--dir, or $CAMAS_DEMO_DIR) and is reused across runs.
Synapse listens on --port ($CAMAS_DEMO_PORT), else on the port of the last run, else on
8008 when it is free, else on any free port.
Interactive when stdin is a terminal; otherwise every stdin line is posted and its reply
(if any within --wait seconds) is printed, then everything is shut down.

camas runs with end-to-end encryption on: #help is public and unencrypted, #staff is
private and encrypted (an unencrypted #staff from an older demo/ is encrypted on the next
run), and @you chats from an encrypting matrix-nio device whose keys live in demo/nio/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import secrets
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Optional

from nio import LocalProtocolError, MegolmEvent, RoomPreset, SendRetryError, SyncResponse

from .camas import REPO_ROOT, Camas, camas_binary
from .client import Client, event_loop, in_reply_to, relates_to
from .e2ee_client import ENCRYPTION_STATE, E2EEClient
from .synapse import Synapse
from .util import HttpError, free_port, http_json, port_is_free, wait_for

ROOMS = {"help": "help", "staff": "staff"}  # name -> kind
ENCRYPTED = {"staff"}  # rooms with end-to-end encryption
BOT = "camas"
YOU = "you"


def info(msg: str) -> None:
    print(f"demo: {msg}", file=sys.stderr, flush=True)


def _kill_stale(pid_file: Path, what: str, root: Path) -> None:
    """A previous demo that was killed may have left its process running."""
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        pid_file.unlink(missing_ok=True)
        return
    if what.encode() in cmdline and str(root).encode() in cmdline:
        info(f"stopping a {what} left over from a previous run (pid {pid})")
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.1)
    pid_file.unlink(missing_ok=True)


class Demo:
    def __init__(self, root: Path, wait: float, port: Optional[int] = None):
        self.root = root
        self.wait = wait
        self.port = port
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)
        self.creds_path = root / "credentials.json"
        self.creds = json.loads(self.creds_path.read_text()) if self.creds_path.exists() else {}
        self.synapse: Optional[Synapse] = None
        self.camas: Optional[Camas] = None
        self.you: Optional[Client] = None  # room set-up (plain HTTP)
        self.chatter: Optional[E2EEClient] = None  # the same device, encrypting: the chat
        self.room_ids: dict = {}

    def save_creds(self) -> None:
        self.creds_path.write_text(json.dumps(self.creds, indent=2))
        self.creds_path.chmod(0o600)

    # -- bring-up --------------------------------------------------------------------
    def start_synapse(self) -> None:
        hs_dir = self.root / "synapse"
        hs_dir.mkdir(parents=True, exist_ok=True)
        _kill_stale(hs_dir / "homeserver.pid", "synapse", self.root)
        port = self.port or self.creds.get("synapse_port")
        if not self.port and (not port or not port_is_free(port)):
            port = 8008 if port_is_free(8008) else free_port()
        self.creds["synapse_port"] = port
        self.save_creds()
        self.synapse = Synapse(hs_dir, port=port)
        info(f"starting Synapse on {self.synapse.url} (data in {hs_dir})")
        self.synapse.start()

    def accounts(self) -> None:
        hs = self.synapse
        for who in (BOT, YOU):
            self.creds.setdefault(f"{who}_password", secrets.token_urlsafe(18))
        self.save_creds()
        # the bot: create once; camas logs in itself with the password
        try:
            reg = hs.register(BOT, self.creds[f"{BOT}_password"])
            hs.logout(reg["access_token"])
            info(f"created {reg['user_id']}")
        except HttpError as e:
            if not (isinstance(e.body, dict) and e.body.get("errcode") == "M_USER_IN_USE"):
                raise
        # you: reuse the stored token while it works (no new device per run)
        token = self.creds.get("you_token")
        login = None
        if token:
            try:
                me = http_json("GET", f"{hs.url}/_matrix/client/v3/account/whoami",
                               token=token)
                login = {"user_id": me["user_id"], "access_token": token,
                         "device_id": me.get("device_id", "")}
            except HttpError:
                login = None
        # Its keys live in demo/nio/DEVICE. A device that had keys whose store is gone
        # cannot upload new ones: log it out and start a new device.
        if login is not None and self.creds.get("you_e2ee_device") == login["device_id"] \
                and not (self.root / "nio" / login["device_id"]).is_dir():
            info(f"the keys of @{YOU}'s device {login['device_id']} are gone: new device")
            try:
                hs.logout(token)
            except HttpError:
                pass
            login = None
        if login is None:
            login = hs.register_or_login(YOU, self.creds[f"{YOU}_password"])
            self.creds["you_token"] = login["access_token"]
        self.creds["you_e2ee_device"] = login["device_id"]
        self.save_creds()
        self.you = Client.from_login(hs.url, login)
        self.chatter = E2EEClient(hs.url, login, self.root / "nio" / login["device_id"])

    def rooms(self) -> None:
        bot_id = self.synapse.user_id(BOT)
        for name in ROOMS:
            alias = f"#{name}:{self.synapse.server_name}"
            encrypted = name in ENCRYPTED
            room_id = self.you.resolve_alias(alias)
            if room_id is None:
                if encrypted:  # private, invite-only, encrypted from its first event
                    room_id = self.you.create_room(alias=name, name=f"camas {name}",
                                                   preset=RoomPreset.private_chat,
                                                   invite=[bot_id],
                                                   initial_state=[ENCRYPTION_STATE])
                else:
                    room_id = self.you.create_room(alias=name, name=f"camas {name}",
                                                   preset=RoomPreset.public_chat)
                info(f"created {alias} ({room_id}{', encrypted' if encrypted else ''})")
            else:
                self.you.join(room_id)
                if encrypted and self.you.get_state(room_id, "m.room.encryption") is None:
                    # a #staff from an older demo: turn encryption on (it stays on)
                    self.you.put_state(room_id, "m.room.encryption",
                                       ENCRYPTION_STATE["content"])
                    info(f"turned on encryption in {alias}")
                if self.you.membership(room_id, bot_id) not in ("join", "invite"):
                    self.you.invite(room_id, bot_id)
            self.room_ids[name] = room_id

    def start_camas(self) -> None:
        _kill_stale(self.root / "camas.pid", "camas", self.root)
        bot_id = self.synapse.user_id(BOT)
        config = {
            "homeserver": {"url": self.synapse.url},
            "auth": {"user_id": bot_id, "password": self.creds[f"{BOT}_password"]},
            "state_dir": str(self.root / "camas-state"),
            "rooms": [{"id": f"#{n}:{self.synapse.server_name}", "kind": k}
                      for n, k in ROOMS.items()],
            "invites": {"allow": [self.synapse.user_id(YOU)]},
            "admins": [self.synapse.user_id(YOU)],
            "encryption": {"enabled": True},  # store: camas-state/crypto (+ its passphrase)
            "log_level": "info",
        }
        self.camas = Camas(self.root, config, log_level="info")
        self.camas.config_path.chmod(0o600)
        info(f"starting {camas_binary()} (log: {self.camas.log_path})")
        self.camas.start()
        (self.root / "camas.pid").write_text(str(self.camas.proc.pid))
        try:
            self.camas.wait_ready(timeout=60)
        except AssertionError:
            if "built without encryption" not in self.camas.log_since_start():
                raise
            info("this camas was built without encryption (no cargo?): running it without; "
                 "in #staff it can only say that it cannot read it")
            self.camas.update_config(encryption={"enabled": False})
            self.camas.start()
            (self.root / "camas.pid").write_text(str(self.camas.proc.pid))
            self.camas.wait_ready(timeout=60)
        for name, room_id in self.room_ids.items():
            self.you.wait_membership(room_id, bot_id, "join", timeout=30)

    def shutdown(self) -> None:
        for client in (self.chatter, self.you):
            if client is None:
                continue
            try:
                client.close()
            except Exception:
                pass
        if self.camas is not None and self.camas.alive:
            info("stopping camas")
            try:
                self.camas.stop(timeout=15)
            except Exception as e:
                info(f"camas: {e}")
        (self.root / "camas.pid").unlink(missing_ok=True)
        if self.synapse is not None and self.synapse.running:
            info("stopping Synapse")
            self.synapse.stop()

    # -- chat ------------------------------------------------------------------------
    async def chat(self, interactive: bool) -> None:
        nio = self.chatter.nio
        bot_id = self.synapse.user_id(BOT)
        names = {v: k for k, v in self.room_ids.items()}
        replies: dict = {}  # question event id -> [reply events]
        prompting = threading.Event()  # the reader shows a prompt and waits for input
        arrived = asyncio.Event()

        # an initial sync: nio's store keeps its keys and sync token across runs, not its
        # rooms, and room_send needs the room (pending to-device messages come all the same)
        nio.next_batch = nio.loaded_sync_token = None
        first = await nio.sync(timeout=0, full_state=True)
        if not isinstance(first, SyncResponse):
            raise RuntimeError(f"sync failed: {first}")
        since = first.next_batch

        async def crypto_requests():
            try:  # key upload, device queries, key claims, to-device: as sync_forever does
                await self.chatter._crypto_requests()
            except Exception as e:
                info(f"encryption: {e}")

        await crypto_requests()

        def show(room_id: str, ev: dict) -> None:
            body = (ev.get("content") or {}).get("body", "")
            where = names.get(room_id, room_id)
            thread = " (thread)" if relates_to(ev).get("rel_type") == "m.thread" else ""
            lines = body.splitlines() or [""]
            text = "\n".join([lines[0]] + ["        " + l for l in lines[1:]])
            msg = f"[{where}] camas{thread}: {text}"
            if interactive:  # redraw the prompt the reply interrupted
                sys.stdout.write(f"\r\033[K{msg}\n")
                if prompting.is_set():
                    sys.stdout.write(f"you@{current}> ")
                sys.stdout.flush()
            else:
                print(msg, flush=True)

        async def sync_loop():
            nonlocal since
            while True:
                resp = await nio.sync(timeout=30000, since=since, full_state=False)
                if not isinstance(resp, SyncResponse):
                    await asyncio.sleep(1)
                    continue
                since = resp.next_batch
                await crypto_requests()
                for room_id, room in resp.rooms.join.items():
                    for e in room.timeline.events:  # nio has decrypted what it could
                        ev = e.source
                        if isinstance(e, MegolmEvent):
                            ev = dict(ev, type="m.room.message",
                                      content={**ev.get("content", {}),
                                               "body": "(an encrypted reply this device "
                                                       "cannot decrypt)"})
                        if ev.get("sender") != bot_id or ev.get("type") != "m.room.message":
                            continue
                        replies.setdefault(in_reply_to(ev), []).append(ev)
                        show(room_id, ev)
                        arrived.set()

        syncer = asyncio.create_task(sync_loop())
        current = "help"
        loop = asyncio.get_running_loop()
        if interactive:
            print("Type a message for camas. Commands: /room help|staff, /quit. "
                  "Try !ping, !help or a question.", flush=True)

        # stdin is read by a daemon thread, so a blocked read never delays exit
        lines: asyncio.Queue = asyncio.Queue()
        handled = threading.Event()
        prompting.clear()

        def reader():
            while True:
                handled.wait()  # the previous line has been dealt with
                handled.clear()
                try:
                    prompting.set()
                    text = input(f"you@{current}> " if interactive else "")
                except (EOFError, OSError):
                    loop.call_soon_threadsafe(lines.put_nowait, None)
                    return
                finally:
                    prompting.clear()
                loop.call_soon_threadsafe(lines.put_nowait, text)

        threading.Thread(target=reader, name="stdin", daemon=True).start()

        async def next_line() -> Optional[str]:
            handled.set()
            return await lines.get()

        try:
            while True:
                line = await next_line()
                if line is None:
                    break
                line = line.strip()
                if not line:
                    continue
                if line.startswith("/"):
                    cmd, _, arg = line.partition(" ")
                    if cmd in ("/quit", "/exit", "/q"):
                        break
                    if cmd == "/room" and arg.strip() in self.room_ids:
                        current = arg.strip()
                        print(f"now in #{current}:{self.synapse.server_name}", flush=True)
                    else:
                        print("commands: /room help|staff, /quit", flush=True)
                    continue
                if not interactive:
                    print(f"[{current}] you: {line}", flush=True)
                room_id = self.room_ids[current]
                try:  # encrypted in #staff (nio shares its room key with camas first)
                    resp = await nio.room_send(room_id, "m.room.message",
                                               {"msgtype": "m.text", "body": line,
                                                "m.mentions": {}},
                                               ignore_unverified_devices=True)
                except (LocalProtocolError, SendRetryError) as e:
                    resp = e
                event_id = getattr(resp, "event_id", None)
                if event_id is None:
                    print(f"(could not send: {resp})", flush=True)
                    continue
                # wait for the answer before the next line (briefly when interactive:
                # later replies are still printed as they arrive)
                if True:
                    deadline = loop.time() + (min(3.0, self.wait) if interactive else self.wait)
                    while event_id not in replies and loop.time() < deadline:
                        arrived.clear()
                        try:
                            await asyncio.wait_for(arrived.wait(),
                                                   max(0.05, deadline - loop.time()))
                        except asyncio.TimeoutError:
                            pass
                    if event_id not in replies and not interactive:
                        print(f"(no reply within {self.wait:.0f} s)", flush=True)
        finally:
            syncer.cancel()
            try:
                await syncer
            except (asyncio.CancelledError, Exception):
                pass


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="scripts/demo", description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default=os.environ.get("CAMAS_DEMO_DIR") or str(REPO_ROOT / "demo"),
                    help="state directory (default: $CAMAS_DEMO_DIR, else ./demo)")
    ap.add_argument("--wait", type=float, default=10.0,
                    help="seconds to wait for each reply when stdin is not a terminal")
    ap.add_argument("--port", type=int, default=int(os.environ.get("CAMAS_DEMO_PORT") or 0),
                    help="Synapse's port (default: $CAMAS_DEMO_PORT, else the last run's, "
                         "else 8008 if free)")
    args = ap.parse_args(argv)
    interactive = sys.stdin.isatty()
    logging.getLogger("nio").setLevel(logging.ERROR)  # e.g. "Missing session" before a claim
    demo = Demo(Path(args.dir).resolve(), args.wait, args.port or None)
    # SIGTERM/SIGHUP: clean up like /quit
    def interrupt(*_):
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt)
    try:
        demo.start_synapse()
        demo.accounts()
        demo.rooms()
        demo.start_camas()
        event_loop().run_until_complete(demo.chat(interactive))
    except KeyboardInterrupt:
        print(file=sys.stderr)
    finally:
        demo.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
