#!/usr/bin/env python3
"""Baseline bot written with matrix-nio: a fair, minimal Python answering bot.

It long-polls /sync, and for every m.text message from someone else in its room picks an
answer from the same knowledge/ YAML by keyword overlap (kb.py) and replies with an m.notice
in reply to the question, mentioning the asker. It keeps its sync token in --state so
questions sent while it was down are answered when it comes back (like camas).

With --floor it does no answering work at all and replies with a fixed text: the
"floor" of the benchmark, the two-hop path through the homeserver with no bot logic."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import sys
import time
from pathlib import Path

from nio import AsyncClient, AsyncClientConfig
from nio.responses import SyncResponse

sys.path.insert(0, str(Path(__file__).resolve().parent))


def stamp(msg: str) -> None:
    print(f"{time.time():.6f} {msg}", file=sys.stderr, flush=True)


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--homeserver", required=True)
    ap.add_argument("--user-id", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--room", required=True)
    ap.add_argument("--knowledge")
    ap.add_argument("--state", required=True, help="file keeping the sync token")
    ap.add_argument("--floor", action="store_true", help="reply a fixed text, no logic")
    a = ap.parse_args()

    answer = (lambda q: "ok") if a.floor else None
    if not a.floor:
        from kb import KB
        answer = KB(a.knowledge).answer

    client = AsyncClient(a.homeserver, a.user_id,
                         config=AsyncClientConfig(request_timeout=60, max_timeouts=None))
    client.access_token = a.token
    client.user_id = a.user_id
    state = Path(a.state)
    since = state.read_text().strip() if state.exists() else None
    first = since is None  # the very first start ignores history
    flt = {"presence": {"types": []}, "account_data": {"types": []},
           "room": {"rooms": [a.room], "state": {"lazy_load_members": True},
                    "ephemeral": {"types": []}, "account_data": {"types": []},
                    "timeline": {"limit": 100}}}
    pending: set = set()

    async def reply(src: dict) -> None:
        body = (src.get("content") or {}).get("body") or ""
        text = answer(body)
        content = {"msgtype": "m.notice", "body": text,
                   "m.relates_to": {"m.in_reply_to": {"event_id": src["event_id"]}},
                   "m.mentions": {"user_ids": [src["sender"]]}}
        txn = "r" + hashlib.sha1(src["event_id"].encode()).hexdigest()
        for attempt in range(5):
            try:
                await client.room_send(a.room, "m.room.message", content, tx_id=txn,
                                       ignore_unverified_devices=True)
                return
            except Exception as e:  # noqa: BLE001 - a baseline retries like any bot
                stamp(f"send failed ({e!r}), retrying")
                await asyncio.sleep(0.2 * (attempt + 1))

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    import signal
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)

    stamp("first /sync request sent")
    ready = False
    while not stop.is_set():
        sync_task = asyncio.ensure_future(client.sync(
            timeout=0 if not ready else 30000, sync_filter=flt, since=since,
            full_state=False))
        stop_task = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({sync_task, stop_task},
                                     return_when=asyncio.FIRST_COMPLETED)
        if stop_task in done:
            sync_task.cancel()
            break
        stop_task.cancel()
        resp = sync_task.result()
        if not isinstance(resp, SyncResponse):
            stamp(f"sync error: {resp}")
            await asyncio.sleep(1)
            continue
        if not first:
            room = resp.rooms.join.get(a.room)
            for ev in (room.timeline.events if room else []):
                src = ev.source
                c = src.get("content") or {}
                if (src.get("type") == "m.room.message" and src.get("sender") != a.user_id
                        and c.get("msgtype") == "m.text"
                        and (c.get("m.relates_to") or {}).get("rel_type") != "m.replace"):
                    t = asyncio.create_task(reply(src))
                    pending.add(t)
                    t.add_done_callback(pending.discard)
        first = False
        since = resp.next_batch
        tmp = state.with_suffix(".tmp")
        tmp.write_text(since)
        os.replace(tmp, state)
        if not ready:
            ready = True
            stamp("ready")
    if pending:
        await asyncio.wait(pending, timeout=5)
    await client.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
