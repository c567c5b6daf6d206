#!/usr/bin/env python3
"""A test stand-in for mautrix-wsproxy (HTTP push -> websocket), written for camas's tests.

The homeserver pushes appservice transactions to this relay over HTTP; the relay forwards
each one as a single text frame over the websocket that the bot opened to
/_matrix/client/unstable/fi.mau.as_sync. It reproduces the documented behaviour of
mautrix-wsproxy v1.0.0 (see README.md next to this file for why we do not run the real
one), including its weak spot: a transaction is acknowledged to the homeserver as soon as
it has been written to the websocket, without waiting for the bot.

Configuration is taken from the environment, like `mautrix-wsproxy -config env`:

    LISTEN_ADDRESS  host:port to listen on (loopback only, e.g. 127.0.0.1:29331)
    APPSERVICE_ID   the appservice id (for log lines)
    AS_TOKEN        token the bot presents on the websocket
    HS_TOKEN        token the homeserver presents on transactions

Every step is logged to stderr, one line each, so tests can follow what happened.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from typing import Optional

from aiohttp import WSCloseCode, WSMsgType, web

CLOSE_CONN_REPLACED = 4001


def log(msg: str) -> None:
    ts = time.strftime("%H:%M:%S", time.localtime()) + f".{int(time.time() * 1000) % 1000:03d}"
    print(f"{ts} wsproxy-relay: {msg}", file=sys.stderr, flush=True)


def error(status: int, errcode: str, message: str) -> web.Response:
    return web.json_response({"errcode": errcode, "error": message}, status=status)


ERR_MISSING_TOKEN = (403, "M_MISSING_TOKEN", "Missing authorization header")
ERR_UNKNOWN_TOKEN = (403, "M_UNKNOWN_TOKEN", "Unknown authorization token")
ERR_BAD_JSON = (400, "M_BAD_JSON", "Failed to decode request JSON")
ERR_SEND_FAIL = (502, "FI.MAU.WS_SEND_FAIL", "Failed to send data through websocket")
ERR_NOT_CONNECTED = (502, "FI.MAU.WS_NOT_CONNECTED", "Endpoint is not connected to websocket")


class Relay:
    def __init__(self, appservice_id: str, as_token: str, hs_token: str):
        self.id = appservice_id
        self.as_token = as_token
        self.hs_token = hs_token
        self.conn: Optional[web.WebSocketResponse] = None
        self.write_lock = asyncio.Lock()
        self.conn_seq = 0

    # -- homeserver side ---------------------------------------------------------------
    def _hs_token(self, request: web.Request) -> str:
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return auth[len("Bearer "):]
        return request.query.get("access_token", "")

    def _check_hs_token(self, request: web.Request) -> Optional[web.Response]:
        token = self._hs_token(request)
        if not token:
            log(f"{request.method} {request.path}: rejected, missing token")
            return error(*ERR_MISSING_TOKEN)
        if token != self.hs_token:
            log(f"{request.method} {request.path}: rejected, unknown token")
            return error(*ERR_UNKNOWN_TOKEN)
        return None

    async def put_transaction(self, request: web.Request) -> web.Response:
        denied = self._check_hs_token(request)
        if denied is not None:
            return denied
        txn_id = request.match_info["txn_id"]
        try:
            txn = json.loads(await request.read())
            if not isinstance(txn, dict):
                raise ValueError("not an object")
        except ValueError as e:
            log(f"transaction {txn_id}: bad JSON ({e})")
            return error(*ERR_BAD_JSON)
        # Like wsproxy: the unstable MSC field names fill the stable ones when missing.
        for stable, unstable in (("ephemeral", "de.sorunome.msc2409.ephemeral"),
                                 ("device_lists", "org.matrix.msc3202.device_lists"),
                                 ("device_one_time_keys_count",
                                  "org.matrix.msc3202.device_one_time_keys_count")):
            if txn.get(stable) is None and txn.get(unstable) is not None:
                txn[stable] = txn[unstable]
        events = txn.get("events") or []
        ephemeral = txn.get("ephemeral") or []
        conn = self.conn
        if conn is None or conn.closed:
            log(f"rejecting transaction {txn_id} to {self.id} ({len(events)} events): "
                "websocket not connected")
            return error(*ERR_NOT_CONNECTED)
        frame = json.dumps({"status": "ok", "txn_id": txn_id, **txn})
        try:
            async with self.write_lock:
                await conn.send_str(frame)
        except Exception as e:  # noqa: BLE001 - any write failure is a 502, as in wsproxy
            log(f"rejecting transaction {txn_id} to {self.id}: send failed: {e!r}")
            return error(*ERR_SEND_FAIL)
        ids = ",".join(str(ev.get("event_id")) for ev in events if isinstance(ev, dict))
        log(f"sent transaction {txn_id} to {self.id} containing {len(events)} events "
            f"and {len(ephemeral)} ephemeral events [{ids}]")
        # No acknowledgement from the bot is awaited: that is how wsproxy works.
        return web.json_response({})

    async def ping(self, request: web.Request) -> web.Response:
        denied = self._check_hs_token(request)
        if denied is not None:
            return denied
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            return error(*ERR_BAD_JSON)
        log(f"ping from the homeserver (transaction_id={body.get('transaction_id')!r})")
        return web.json_response({})

    # -- bot side ----------------------------------------------------------------------
    async def sync_websocket(self, request: web.Request) -> web.StreamResponse:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            log("websocket: rejected, missing token")
            return error(*ERR_MISSING_TOKEN)
        if auth[len("Bearer "):] != self.as_token:
            log("websocket: rejected, unknown token")
            return error(*ERR_UNKNOWN_TOKEN)
        ws = web.WebSocketResponse(autoping=True, heartbeat=None)
        await ws.prepare(request)
        self.conn_seq += 1
        seq = self.conn_seq
        version = request.headers.get("X-Mautrix-Websocket-Version", "")
        log(f"{self.id} connected to websocket (conn #{seq}, "
            f"X-Mautrix-Websocket-Version: {version or '-'})")
        try:
            await ws.send_str('{"status": "connected"}')
        except Exception as e:  # noqa: BLE001
            log(f"failed to write welcome status message to {self.id}: {e!r}")
        old, self.conn = self.conn, ws
        if old is not None and not old.closed:
            log(f"replacing the previous websocket of {self.id}: closing it with "
                f"{CLOSE_CONN_REPLACED} conn_replaced")
            asyncio.ensure_future(self._close(
                old, CLOSE_CONN_REPLACED,
                '{"command": "disconnect", "status": "conn_replaced"}'))
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._command(ws, seq, msg.data)
                elif msg.type == WSMsgType.BINARY:
                    log(f"conn #{seq}: ignoring a binary frame of {len(msg.data)} bytes")
                elif msg.type == WSMsgType.ERROR:
                    log(f"conn #{seq}: error reading from websocket: {ws.exception()!r}")
                    break
        finally:
            log(f"{self.id} disconnected from websocket (conn #{seq}, "
                f"close code {ws.close_code})")
            if self.conn is ws:
                self.conn = None
            if not ws.closed:
                await ws.close()
        return ws

    async def _close(self, ws: web.WebSocketResponse, code: int, reason: str) -> None:
        try:
            await asyncio.wait_for(ws.close(code=code, message=reason.encode()), 3)
        except Exception as e:  # noqa: BLE001
            log(f"closing an old websocket: {e!r}")

    async def _command(self, ws: web.WebSocketResponse, seq: int, raw: str) -> None:
        try:
            msg = json.loads(raw)
            if not isinstance(msg, dict):
                raise ValueError("not an object")
        except ValueError as e:
            log(f"conn #{seq}: unparseable frame ({e}): {raw[:200]!r}")
            return
        req_id = msg.get("id") or 0
        command = msg.get("command")
        data = msg.get("data")
        if command in ("response", "error"):
            # An answer to a request of ours; this relay never sends any.
            log(f"conn #{seq}: got a {command} to request #{req_id} (ignored)")
            return
        if command == "ping":
            ts = (data or {}).get("timestamp") if isinstance(data, dict) else None
            now = int(time.time() * 1000)
            if isinstance(ts, (int, float)) and ts > 0:
                log(f"conn #{seq}: received ping #{req_id} from {self.id} in {now - ts} ms")
            else:
                log(f"conn #{seq}: received ping #{req_id} from {self.id} with no timestamp")
            reply = {"id": req_id, "command": "response", "data": {"timestamp": now}}
        else:
            log(f"conn #{seq}: unknown command {command} in request #{req_id}; data: "
                f"{json.dumps(data)[:200]}")
            reply = {"id": req_id, "command": "error",
                     "data": {"message": f"unknown command {command}"}}
        if not req_id:
            return
        try:
            async with self.write_lock:
                await ws.send_str(json.dumps(reply))
            log(f"conn #{seq}: sent {reply['command']} to request #{req_id}")
        except Exception as e:  # noqa: BLE001
            log(f"conn #{seq}: failed to send response to request #{req_id}: {e!r}")

    async def shutdown(self) -> None:
        if self.conn is not None and not self.conn.closed:
            log("shutting down: closing the websocket with 1001 server_shutting_down")
            await self._close(self.conn, WSCloseCode.GOING_AWAY,
                              '{"command": "disconnect", "status": "server_shutting_down"}')


def build_app(relay: Relay) -> web.Application:
    app = web.Application()
    app.router.add_put("/_matrix/app/v1/transactions/{txn_id}", relay.put_transaction)
    app.router.add_put("/transactions/{txn_id}", relay.put_transaction)
    app.router.add_post("/_matrix/app/v1/ping", relay.ping)
    app.router.add_get("/_matrix/client/unstable/fi.mau.as_sync", relay.sync_websocket)
    return app


async def main() -> int:
    listen = os.environ.get("LISTEN_ADDRESS", "")
    as_token = os.environ.get("AS_TOKEN", "")
    hs_token = os.environ.get("HS_TOKEN", "")
    appservice_id = os.environ.get("APPSERVICE_ID", "")
    if not listen or ":" not in listen or not as_token or not hs_token:
        log("LISTEN_ADDRESS (host:port), AS_TOKEN and HS_TOKEN must be set")
        return 2
    host, _, port = listen.rpartition(":")
    relay = Relay(appservice_id, as_token, hs_token)
    runner = web.AppRunner(build_app(relay), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, int(port), reuse_address=True)
    await site.start()
    log(f"listening on {listen} for appservice {appservice_id!r}")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await relay.shutdown()
    await runner.cleanup()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
