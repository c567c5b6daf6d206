#!/usr/bin/env python3
"""camas side-by-side benchmark suite (issue 6). Started by bench/run; not part of CI.

Phases, in this order:
  1. in-process figures (no homeserver): `camas bench ask|reload|sync`, eval_match --bench,
     instruction counts with callgrind (perf has no hardware counters on this VM);
  2. a Synapse on loopback, one help room per bot, the bots started and warmed up:
     camas, the matrix-nio baseline, maubot (standalone, minimal plugin) and the floor
     (a nio client replying a fixed text);
  3. end-to-end latency, interleaved repetitions over all bots;
  4. start-up (process start -> first /sync request, -> first answer to a waiting
     question) and idle RSS, repeated;
  5. sustained load at increasing rates until p99 doubles, RSS sampled over time;
  6. 100 `camas ctl reload faq` under continuous load, exactly-once verified by event ids;
  7. results: bench/results/latest.{json,md} and PNG plots.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Optional

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO / "tests"))

import yaml  # noqa: E402
from harness import Camas, Synapse, free_port, http_json  # noqa: E402
from nio import AsyncClient, AsyncClientConfig, RoomPreset  # noqa: E402
from nio.responses import RoomSendResponse, SyncResponse  # noqa: E402

CAMAS_BIN = REPO / "build" / "camas"
EVAL_MATCH = REPO / "build" / "tests" / "unit" / "eval_match"
RESULTS = BENCH / "results"
TMP = RESULTS / "tmp"
MAUBOT_VENV = Path(os.environ.get("BENCH_MAUBOT_VENV", BENCH / ".venv-maubot")).resolve()
BASELINES = BENCH / "baselines"
TARGETS = ["camas", "nio", "maubot", "floor"]
LABEL = {"camas": "camas", "nio": "nio baseline", "maubot": "maubot", "floor": "floor"}


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# -- statistics ---------------------------------------------------------------------------
def pct(values, p: float) -> Optional[float]:
    """Nearest-rank percentile."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def spread(values) -> dict:
    """Median and spread (min, max) of one figure over repeated runs."""
    v = [x for x in values if x is not None]
    if not v:
        return {"median": None, "min": None, "max": None, "n": 0, "runs": []}
    return {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v),
            "runs": v}


def fmt(x, digits=1, unit="") -> str:
    if x is None:
        return "n/a"
    if isinstance(x, float):
        s = f"{x:,.{digits}f}"
    else:
        s = f"{x:,}"
    return s + unit


def fmt_spread(s: dict, digits=1, unit="") -> str:
    if not s or s.get("median") is None:
        return "n/a"
    if s["n"] == 1:
        return fmt(s["median"], digits, unit)
    return f"{fmt(s['median'], digits, unit)} [{fmt(s['min'], digits)}–{fmt(s['max'], digits)}]"


# -- processes ------------------------------------------------------------------------------
def rss_kib(pid: int) -> Optional[int]:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def pss_kib(pid: int) -> Optional[int]:
    """Proportional set size: shared pages (libc, libraries) divided among their users."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def descendants(pid: int) -> list:
    children: dict = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in children.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def mem(pid: Optional[int]) -> dict:
    """RSS of a process (core) and all its descendants (worker), KiB."""
    if not pid:
        return {"core": None, "worker": None, "sum": None}
    core = rss_kib(pid)
    kids = descendants(pid)
    worker = sum(rss_kib(c) or 0 for c in kids)
    pss = (pss_kib(pid) or 0) + sum(pss_kib(c) or 0 for c in kids)
    return {"core": core, "worker": worker, "sum": (core or 0) + worker, "pss_sum": pss,
            "processes": 1 + len(kids)}


def run(cmd, timeout=600, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                          timeout=timeout, **kw)


def json_lines(text: str) -> list:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


# -- phase 1: in-process ----------------------------------------------------------------------
def callgrind_ir(cmd, out_dir: Path, extra=()) -> dict:
    """Instructions (Ir) of the process itself, by callgrind; children run natively. Returns
    {dump_index: Ir} (0 = the whole run when no --dump-after is given)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for f in out_dir.glob("cg.*"):
        f.unlink()
    r = run(["valgrind", "--tool=callgrind", "--trace-children=no",
             f"--callgrind-out-file={out_dir}/cg.out", *extra, *cmd], cwd=REPO, timeout=900)
    if r.returncode != 0:
        raise RuntimeError(f"callgrind {cmd}: {r.returncode}\n{r.stderr[-1500:]}")
    res = {}
    for f in sorted(out_dir.glob("cg.out*")):
        m = re.search(r"^summary:\s+(\d+)", f.read_text(errors="replace"), re.M)
        idx = int(f.name.rsplit(".", 1)[1]) if f.name != "cg.out" and f.name.rsplit(".", 1)[1].isdigit() else 0
        if m:
            res[idx] = int(m.group(1))
    return res


def make_sync_fixture(path: Path, rooms: int = 1000, per_room: int = 4) -> dict:
    """A /sync body with `rooms` joined rooms, each with `per_room` m.room.message events
    from other users, unique event ids, timestamps in the future (so they count as new)."""
    future = int(time.time() * 1000) + 86_400_000
    join = {}
    n = 0
    for r in range(rooms):
        rid = f"!bench{r:05d}:localhost"
        events = []
        for i in range(per_room):
            n += 1
            events.append({
                "type": "m.room.message", "event_id": f"$ev{n:07d}-{secrets.token_hex(6)}",
                "sender": f"@user{(r + i) % 50}:localhost", "origin_server_ts": future + n,
                "room_id": rid,
                "content": {"msgtype": "m.text",
                            "body": f"message {i} in room {r}: who chairs the task force?",
                            "m.mentions": {}},
                "unsigned": {"age": 12}})
        join[rid] = {"summary": {"m.joined_member_count": 5, "m.invited_member_count": 0},
                     "state": {"events": []},
                     "timeline": {"events": events, "limited": False, "prev_batch": f"p{r}"},
                     "ephemeral": {"events": []}, "account_data": {"events": []},
                     "unread_notifications": {"highlight_count": 0, "notification_count": 1}}
    body = {"next_batch": "s_bench_1", "rooms": {"join": join, "invite": {}, "leave": {}},
            "presence": {"events": []}, "account_data": {"events": []}}
    path.write_text(json.dumps(body))
    return {"rooms": rooms, "events": n, "bytes": path.stat().st_size}


def in_process(cfg: dict) -> dict:
    res: dict = {}
    qfile = TMP / "questions.txt"
    qs = yaml.safe_load((REPO / "tests/fixtures/questions.yaml").read_text())["questions"]
    qfile.write_text("".join(q["q"].replace("\n", " ") + "\n" for q in qs))
    res["questions"] = len(qs)
    pin = ["taskset", "-c", "0"]

    log(f"in-process: camas bench ask x{cfg['inproc_runs']} (taskset -c 0)")
    seq, pipe = [], []
    for _ in range(cfg["inproc_runs"]):
        r = run([*pin, CAMAS_BIN, "bench", "ask", qfile, cfg["ask_rounds"]], cwd=REPO)
        lines = {d["bench"]: d for d in json_lines(r.stdout)}
        if "ask_sequential" not in lines:
            raise RuntimeError(f"camas bench ask failed: {r.stderr[-1000:]}")
        seq.append(lines["ask_sequential"])
        pipe.append(lines.get("ask_pipelined", {}))
    res["ask"] = {
        "per_second": spread([d["per_second"] for d in seq]),
        "p50_ns": spread([d["p50_ns"] for d in seq]),
        "p90_ns": spread([d["p90_ns"] for d in seq]),
        "p99_ns": spread([d["p99_ns"] for d in seq]),
        "max_ns": spread([d["max_ns"] for d in seq]),
        "pipelined_per_second": spread([d.get("per_second") for d in pipe]),
        "count": seq[0]["count"], "raw": seq + pipe}

    log(f"in-process: eval_match --bench x{cfg['inproc_runs']}")
    rx = re.compile(r"^bench (.+?)\s+(\d+) queries\s+(\d+) questions/s\s+p50\s+(\d+) ns\s+"
                    r"p99\s+(\d+) ns", re.M)
    em: dict = {"real": [], "synthetic": []}
    for _ in range(cfg["inproc_runs"]):
        r = run([*pin, EVAL_MATCH, REPO / "knowledge", REPO / "tests/fixtures/questions.yaml",
                 "--bench", cfg["match_rounds"]], cwd=REPO)
        for m in rx.finditer(r.stdout):
            key = "synthetic" if "synthetic" in m.group(1) else "real"
            em[key].append({"count": int(m.group(2)), "per_second": int(m.group(3)),
                            "p50_ns": int(m.group(4)), "p99_ns": int(m.group(5))})
    res["match"] = {k: {"per_second": spread([d["per_second"] for d in v]),
                        "p50_ns": spread([d["p50_ns"] for d in v]),
                        "p99_ns": spread([d["p99_ns"] for d in v])} for k, v in em.items()}

    log(f"in-process: camas bench reload {cfg['reload_n']} x{cfg['inproc_runs']}")
    rl = []
    for _ in range(cfg["inproc_runs"]):
        r = run([*pin, CAMAS_BIN, "bench", "reload", cfg["reload_n"]], cwd=REPO)
        d = {x["bench"]: x for x in json_lines(r.stdout)}.get("reload_faq")
        if not d:
            raise RuntimeError(f"camas bench reload failed: {r.stderr[-1000:]}")
        rl.append(d)
    res["reload"] = {k: spread([d[k] for d in rl]) for k in ("p50_ns", "p90_ns", "p99_ns",
                                                             "max_ns", "per_second")}

    fixture = TMP / "sync-1000-rooms.json"
    res["sync_fixture"] = make_sync_fixture(fixture)
    log(f"in-process: camas bench sync ({res['sync_fixture']['bytes'] / 1e6:.1f} MB, "
        f"{res['sync_fixture']['rooms']} rooms) x{cfg['inproc_runs']}")
    sy = []
    for _ in range(cfg["inproc_runs"]):
        r = run([*pin, CAMAS_BIN, "bench", "sync", fixture, cfg["sync_rounds"]], cwd=REPO)
        d = {x["bench"]: x for x in json_lines(r.stdout)}.get("sync")
        if not d:
            raise RuntimeError(f"camas bench sync failed: {r.stdout[-500:]} {r.stderr[-1000:]}")
        sy.append(d)
    res["sync"] = {"mb_per_s": spread([d["mb_per_s"] for d in sy]),
                   "median_s": spread([d["median_s"] for d in sy]), "raw": sy}

    # Instruction counts: callgrind (perf stat reports <not supported> for instructions on
    # this VM). Differences between two run lengths cancel start-up costs.
    ir: dict = {}
    if shutil.which("valgrind") and cfg["callgrind"]:
        log("in-process: instruction counts (callgrind)")
        cg = TMP / "callgrind"
        try:
            a = callgrind_ir([CAMAS_BIN, "bench", "ask", qfile, 1], cg)[0]
            b = callgrind_ir([CAMAS_BIN, "bench", "ask", qfile, 3], cg)[0]
            # each round = one sequential + one pipelined pass over every question
            ir["ask_core_per_question"] = (b - a) / (2 * 2 * len(qs))
        except Exception as e:  # noqa: BLE001
            ir["ask_error"] = str(e)[-300:]
        try:
            d = callgrind_ir([EVAL_MATCH, REPO / "knowledge",
                              REPO / "tests/fixtures/questions.yaml", "--bench", 1], cg,
                             ["--toggle-collect=camas_matcher_query", "--dump-after=bench"])
            parts = [d[k] for k in sorted(k for k in d if k > 0)]
            if len(parts) >= 2:
                ir["match_real_per_question"] = parts[0] / len(qs)
                ir["match_synthetic_per_question"] = parts[1] / len(qs)
        except Exception as e:  # noqa: BLE001
            ir["match_error"] = str(e)[-300:]
        try:
            a = callgrind_ir([CAMAS_BIN, "bench", "reload", 2], cg)[0]
            b = callgrind_ir([CAMAS_BIN, "bench", "reload", 6], cg)[0]
            ir["reload_core_per_reload"] = (b - a) / 4
        except Exception as e:  # noqa: BLE001
            ir["reload_error"] = str(e)[-300:]
        try:
            a = callgrind_ir([CAMAS_BIN, "bench", "sync", fixture, 1], cg)[0]
            b = callgrind_ir([CAMAS_BIN, "bench", "sync", fixture, 3], cg)[0]
            ir["sync_per_round"] = (b - a) / 2
            ir["sync_per_event"] = ir["sync_per_round"] / res["sync_fixture"]["events"]
        except Exception as e:  # noqa: BLE001
            ir["sync_error"] = str(e)[-300:]
    res["instructions"] = ir
    return res


# -- Matrix side: the observer (a matrix-nio client timing replies from its sync stream) -------
SYNC_FILTER = {"presence": {"types": []}, "account_data": {"types": []},
               "room": {"state": {"lazy_load_members": True, "types": []},
                        "ephemeral": {"types": []}, "account_data": {"types": []},
                        "timeline": {"limit": 200, "types": ["m.room.message"]}}}


def nio_client(hs: str, login: dict) -> AsyncClient:
    c = AsyncClient(hs, login["user_id"], device_id=login.get("device_id"),
                    config=AsyncClientConfig(request_timeout=60, max_timeouts=None))
    c.access_token = login["access_token"]
    c.user_id = login["user_id"]
    return c


class Observer:
    """A matrix-nio client that sends questions and records every reply it sees in its
    /sync stream: replies[question_event_id] = [(t_monotonic, t_wall, reply_id, sender)]."""

    def __init__(self, hs: str, login: dict):
        self.c = nio_client(hs, login)
        self.user_id = login["user_id"]
        self.replies: dict = {}
        self.waiters: dict = {}
        self.stopped = False
        self.task = None
        self.sync_errors = 0

    async def start(self) -> None:
        r = await self.c.sync(timeout=0, sync_filter=SYNC_FILTER)
        if not isinstance(r, SyncResponse):
            raise RuntimeError(f"observer sync: {r}")
        self.task = asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        while not self.stopped:
            try:
                r = await self.c.sync(timeout=30000, sync_filter=SYNC_FILTER,
                                      since=self.c.next_batch)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001
                self.sync_errors += 1
                await asyncio.sleep(0.2)
                continue
            t, tw = time.perf_counter(), time.time()
            if not isinstance(r, SyncResponse):
                self.sync_errors += 1
                await asyncio.sleep(0.2)
                continue
            for _rid, info in r.rooms.join.items():
                for ev in info.timeline.events:
                    src = ev.source
                    if src.get("sender") == self.user_id:
                        continue
                    rel = (src.get("content") or {}).get("m.relates_to") or {}
                    irt = (rel.get("m.in_reply_to") or {}).get("event_id")
                    if not irt:
                        continue
                    self.replies.setdefault(irt, []).append(
                        (t, tw, src.get("event_id"), src.get("sender")))
                    f = self.waiters.get(irt)
                    if f and not f.done():
                        f.set_result(t)

    async def send(self, room_id: str, body: str, client: Optional[AsyncClient] = None):
        c = client or self.c
        r = await c.room_send(room_id, "m.room.message",
                              {"msgtype": "m.text", "body": body,
                               "m.mentions": {"user_ids": []}},
                              tx_id=uuid.uuid4().hex)
        if not isinstance(r, RoomSendResponse):
            raise RuntimeError(f"send: {r}")
        return r.event_id

    async def wait_reply(self, eid: str, timeout: float) -> Optional[float]:
        if eid in self.replies:
            return self.replies[eid][0][0]
        f = asyncio.get_running_loop().create_future()
        self.waiters[eid] = f
        try:
            return await asyncio.wait_for(f, timeout)
        except asyncio.TimeoutError:
            return None
        finally:
            self.waiters.pop(eid, None)

    async def close(self) -> None:
        self.stopped = True
        if self.task:
            self.task.cancel()
            try:
                await self.task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
        await self.c.close()


# -- the bots ---------------------------------------------------------------------------------
class Bot:
    name = "?"

    def __init__(self, workdir: Path, hs: Synapse, login: dict, room_id: str):
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.hs, self.login, self.room_id = hs, login, room_id
        self.proc: Optional[subprocess.Popen] = None
        self.t_spawn = 0.0
        self.log_path = self.dir / "bot.log"

    @property
    def user_id(self) -> str:
        return self.login["user_id"]

    @property
    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc and self.proc.poll() is None else None

    def _log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def _spawn(self, cmd, env=None) -> None:
        self._offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        out = open(self.log_path, "ab")
        self.t_spawn = time.time()
        self.proc = subprocess.Popen([str(c) for c in cmd], cwd=self.dir,
                                     stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                     env=env, start_new_session=True)
        out.close()

    def log_since_start(self) -> str:
        if not self.log_path.exists():
            return ""
        with open(self.log_path, "rb") as f:
            f.seek(self._offset)
            return f.read().decode(errors="replace")

    def first_sync_wall(self) -> Optional[float]:
        return None

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class CamasBot(Bot):
    name = "camas"

    def __init__(self, workdir, hs, login, room_id, password):
        super().__init__(workdir, hs, login, room_id)
        self.camas = Camas(workdir, {
            "homeserver": {"url": hs.url},
            "auth": {"user_id": login["user_id"], "password": password},
            "rooms": [{"id": room_id, "kind": "help"}],
            "invites": {"allow": []},
            "limits": {"help_user_per_minute": 0, "help_room_per_minute": 0},
            "sync": {"timeout_ms": 30000},
            "log_level": "info",
        }, binary=CAMAS_BIN, log_level="info")
        self.log_path = self.camas.log_path

    @property
    def pid(self):
        return self.camas.proc.pid if self.camas.alive else None

    def start(self) -> None:
        self.t_spawn = time.time()
        self.camas.start()
        self.proc = self.camas.proc
        self._offset = self.camas._log_offset

    def stop(self) -> None:
        self.camas.stop()

    def first_sync_wall(self) -> Optional[float]:
        m = re.search(r"^(\S+)Z \w+ matrix: first /sync request sent", self.log_since_start(),
                      re.M)
        if not m:
            return None
        return dt.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f").replace(
            tzinfo=dt.timezone.utc).timestamp()

    def ctl(self, *args) -> subprocess.CompletedProcess:
        return run([CAMAS_BIN, "--state", self.camas.state_dir, "ctl", *args], timeout=30)


class NioBot(Bot):
    def __init__(self, workdir, hs, login, room_id, floor=False):
        super().__init__(workdir, hs, login, room_id)
        self.floor = floor
        self.name = "floor" if floor else "nio"

    def start(self) -> None:
        cmd = [sys.executable, BASELINES / "nio_bot.py", "--homeserver", self.hs.url,
               "--user-id", self.user_id, "--token", self.login["access_token"],
               "--room", self.room_id, "--state", self.dir / "since.txt"]
        cmd += ["--floor"] if self.floor else ["--knowledge", REPO / "knowledge"]
        self._spawn(cmd)

    def first_sync_wall(self):
        m = re.search(r"^(\d+\.\d+) first /sync request sent", self.log_since_start(), re.M)
        return float(m.group(1)) if m else None


class MaubotBot(Bot):
    name = "maubot"

    def start(self) -> None:
        plugin = BASELINES / "maubot_plugin"
        cfg = {
            "user": {"credentials": {"id": self.user_id, "homeserver": self.hs.url,
                                     "access_token": self.login["access_token"],
                                     "device_id": None},
                     "sync": True, "appservice": False, "hs_token": None, "autojoin": False,
                     "displayname": "disable", "avatar_url": "disable",
                     "ignore_initial_sync": True, "ignore_first_sync": False},
            "server": {"hostname": "127.0.0.1", "port": free_port(), "base_path": "/",
                       "public_url": "http://127.0.0.1"},
            "database": f"sqlite:{self.dir / 'bot.db'}",
            "crypto_db_pickle_key": "mau.crypto",
            "database_opts": {"min_size": 1, "max_size": 10},
            "plugin_config": {},
            "logging": {
                "version": 1,
                "filters": {"firstsync": {"()": "bench_logfilter.FirstSyncOnly"}},
                "formatters": {"plain": {"format": "%(created).6f %(levelname)s %(name)s "
                                                   "%(message)s"}},
                "handlers": {"console": {"class": "logging.StreamHandler",
                                         "formatter": "plain", "filters": ["firstsync"]}},
                "loggers": {"maubot.client": {"level": 5}, "aiohttp": {"level": "WARNING"}},
                "root": {"level": "INFO", "handlers": ["console"]}},
        }
        cfg_path = self.dir / "config.yaml"
        cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
        env = dict(os.environ, BENCH_BASELINES=str(BASELINES),
                   BENCH_KNOWLEDGE=str(REPO / "knowledge"), PYTHONPATH=str(plugin))
        self._spawn([MAUBOT_VENV / "bin" / "python", "-m", "maubot.standalone",
                     "-c", cfg_path, "-m", plugin / "maubot.yaml"], env=env)

    def first_sync_wall(self):
        m = re.search(r"^(\d+\.\d+) \S+ \S+ req #\d+: GET \S+/v3/sync", self.log_since_start(),
                      re.M)
        return float(m.group(1)) if m else None


# -- measurements -------------------------------------------------------------------------------
async def warm(obs: Observer, bot: Bot, questions, n: int = 10, timeout: float = 90.0) -> bool:
    """Probe until the bot answers (it may ignore what it saw in its first sync), then a few
    warm-up questions."""
    deadline = time.monotonic() + timeout
    ok = False
    while time.monotonic() < deadline and not ok:
        if bot.proc is not None and bot.proc.poll() is not None:
            raise RuntimeError(f"{bot.name} exited ({bot.proc.returncode}):\n"
                               + bot._log_text()[-2000:])
        eid = await obs.send(bot.room_id, "hello, who chairs the task force?")
        ok = await obs.wait_reply(eid, 3.0) is not None
    if not ok:
        return False
    for i in range(n):
        eid = await obs.send(bot.room_id, questions[i % len(questions)])
        await obs.wait_reply(eid, 15.0)
    return True


async def latency_rep(obs: Observer, bot: Bot, questions, n: int, offset: int,
                      timeout: float = 15.0) -> dict:
    lat, drops, errors, sent = [], 0, 0, []
    for i in range(n):
        q = questions[(offset + i) % len(questions)]
        t0 = time.perf_counter()
        try:
            eid = await obs.send(bot.room_id, q)
        except Exception:  # noqa: BLE001
            errors += 1
            continue
        sent.append(eid)
        t1 = await obs.wait_reply(eid, timeout)
        if t1 is None:
            drops += 1
        else:
            lat.append((t1 - t0) * 1000.0)
    await asyncio.sleep(0.5)
    dups = sum(1 for e in sent if len(obs.replies.get(e, [])) > 1)
    return {"lat_ms": lat, "drops": drops, "errors": errors, "dups": dups}


async def load_step(obs: Observer, senders, bot: Bot, questions, rate: float,
                    duration: float, drain: float = 15.0) -> dict:
    """Open loop: `rate` questions/s spread over the sender clients for `duration` s."""
    n = max(1, int(rate * duration))
    sent: dict = {}
    errors = 0
    tasks = []

    async def one(i: int) -> None:
        nonlocal errors
        t0 = time.perf_counter()
        try:
            eid = await obs.send(bot.room_id, questions[i % len(questions)],
                                 client=senders[i % len(senders)])
            sent[eid] = t0
        except Exception:  # noqa: BLE001
            errors += 1

    start = time.perf_counter()
    for i in range(n):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    send_end = time.perf_counter()
    deadline = send_end + drain
    while time.perf_counter() < deadline and any(e not in obs.replies for e in sent):
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # late duplicates
    lat = [(obs.replies[e][0][0] - t0) * 1000.0 for e, t0 in sent.items() if e in obs.replies]
    last = max((obs.replies[e][0][0] for e in sent if e in obs.replies), default=send_end)
    return {"rate": rate, "sent": len(sent), "errors": errors,
            "drops": sum(1 for e in sent if e not in obs.replies),
            "dups": sum(1 for e in sent if len(obs.replies.get(e, [])) > 1),
            "p50_ms": pct(lat, 50), "p90_ms": pct(lat, 90), "p99_ms": pct(lat, 99),
            "answered_per_s": len(lat) / max(1e-9, last - start)}


class RssSampler:
    def __init__(self):
        self.samples: list = []  # (t, name, core, worker)
        self.bot: Optional[Bot] = None
        self.t0 = time.monotonic()
        self.stopped = False
        self.th = threading.Thread(target=self._run, daemon=True)
        self.th.start()

    def _run(self) -> None:
        while not self.stopped:
            b = self.bot
            if b is not None and b.pid:
                m = mem(b.pid)
                self.samples.append((time.monotonic() - self.t0, b.name, m["core"],
                                     m["worker"]))
            time.sleep(0.25)

    def stop(self) -> None:
        self.stopped = True
        self.th.join(timeout=2)


def room_replies_by_messages(hs: Synapse, token: str, room_id: str, bot_user: str) -> dict:
    """{question_event_id: [reply ids]} from the room's /messages (independent of sync)."""
    out: dict = {}
    frm = None
    base = f"{hs.url}/_matrix/client/v3/rooms/{urllib.parse.quote(room_id)}/messages"
    for _ in range(200):
        q = {"dir": "b", "limit": "500"}
        if frm:
            q["from"] = frm
        page = http_json("GET", f"{base}?{urllib.parse.urlencode(q)}", token=token)
        for e in page.get("chunk") or []:
            if e.get("sender") != bot_user:
                continue
            irt = (((e.get("content") or {}).get("m.relates_to") or {}).get("m.in_reply_to")
                   or {}).get("event_id")
            if irt:
                out.setdefault(irt, []).append(e["event_id"])
        frm = page.get("end")
        if not page.get("chunk") or not frm:
            break
    return out


async def matrix_phases(cfg: dict, results: dict) -> None:
    qs_all = yaml.safe_load((REPO / "tests/fixtures/questions.yaml").read_text())["questions"]
    questions = [q["q"].replace("\n", " ") for q in qs_all]
    loop = asyncio.get_running_loop()

    log("starting Synapse")
    hs = Synapse(TMP / "synapse")
    hs.start()
    bots: dict = {}
    try:
        admin = hs.register("admin", "admin-" + secrets.token_hex(8), admin=True)
        atok = admin["access_token"]

        def user(localpart: str):
            pw = "pw-" + secrets.token_hex(8)
            login = hs.register(localpart, pw)
            hs.override_ratelimit(atok, login["user_id"], 0, 0)  # 0 = no limit
            return login, pw

        asker, _ = user("asker")
        senders_logins = [user(f"sender{i}")[0] for i in range(cfg["senders"])]
        obs = Observer(hs.url, asker)
        for name in TARGETS:
            if name == "maubot" and not cfg["maubot_ok"]:
                continue
            login, pw = user(f"bot-{name}")
            room = await obs.c.room_create(name=f"help-{name}", alias=f"help-{name}",
                                           federate=False, preset=RoomPreset.public_chat)
            room_id = room.room_id
            for s in senders_logins:
                http_json("POST", f"{hs.url}/_matrix/client/v3/join/"
                          f"{urllib.parse.quote(room_id)}", {}, token=s["access_token"])
            if name != "camas":  # camas joins its configured rooms itself
                http_json("POST", f"{hs.url}/_matrix/client/v3/join/"
                          f"{urllib.parse.quote(room_id)}", {}, token=login["access_token"])
            wd = TMP / f"bot-{name}"
            if name == "camas":
                bots[name] = CamasBot(wd, hs, login, room_id, pw)
            elif name == "maubot":
                bots[name] = MaubotBot(wd, hs, login, room_id)
            else:
                bots[name] = NioBot(wd, hs, login, room_id, floor=(name == "floor"))
        await obs.start()
        senders = [nio_client(hs.url, s) for s in senders_logins]

        log("starting the bots: " + ", ".join(bots))
        failed = {}
        for name, b in bots.items():
            try:
                b.start()
                if not await warm(obs, b, questions):
                    raise RuntimeError("no answer to probes within 90 s:\n"
                                       + b._log_text()[-2000:])
            except Exception as e:  # noqa: BLE001
                failed[name] = str(e)[-1500:]
                log(f"  {name} failed to start: {str(e)[:300]}")
                b.stop()
        for name in failed:
            bots.pop(name).stop()
        results["bot_failures"] = failed

        # -- end-to-end latency ---------------------------------------------------------
        reps, per = cfg["e2e_reps"], cfg["e2e_per_rep"]
        log(f"end-to-end latency: {reps} reps x {per} questions per bot, interleaved")
        e2e: dict = {n: {"reps": [], "all_ms": [], "drops": 0, "errors": 0, "dups": 0}
                     for n in bots}
        order = list(bots)
        for rep in range(reps):
            for name in order[rep % len(order):] + order[:rep % len(order)]:
                r = await latency_rep(obs, bots[name], questions, per, rep * per)
                e2e[name]["reps"].append({"p50_ms": pct(r["lat_ms"], 50),
                                          "p90_ms": pct(r["lat_ms"], 90),
                                          "p99_ms": pct(r["lat_ms"], 99),
                                          "n": len(r["lat_ms"])})
                e2e[name]["all_ms"] += r["lat_ms"]
                for k in ("drops", "errors", "dups"):
                    e2e[name][k] += r[k]
                log(f"  rep {rep + 1} {name:7s} p50 {pct(r['lat_ms'], 50):.2f} ms  "
                    f"p99 {pct(r['lat_ms'], 99):.2f} ms  drops {r['drops']}")
        for name, d in e2e.items():
            d["p50_ms"] = spread([x["p50_ms"] for x in d["reps"]])
            d["p90_ms"] = spread([x["p90_ms"] for x in d["reps"]])
            d["p99_ms"] = spread([x["p99_ms"] for x in d["reps"]])
            d["pooled"] = {"n": len(d["all_ms"]), "p50_ms": pct(d["all_ms"], 50),
                           "p90_ms": pct(d["all_ms"], 90), "p99_ms": pct(d["all_ms"], 99),
                           "max_ms": max(d["all_ms"]) if d["all_ms"] else None}
        results["e2e"] = e2e

        # -- start-up and idle RSS -----------------------------------------------------------
        log(f"start-up: {cfg['startups']} restarts per bot, a question waiting each time")
        st: dict = {}
        for name, b in bots.items():
            if name == "floor":
                continue
            rows = []
            for i in range(cfg["startups"] if name != "maubot" else cfg["startups_maubot"]):
                b.stop()
                await asyncio.sleep(0.3)
                eid = await obs.send(b.room_id, questions[i % len(questions)])
                await asyncio.sleep(0.3)
                b.start()
                t_spawn = b.t_spawn
                ok = await obs.wait_reply(eid, 60.0)
                first_answer = (obs.replies[eid][0][1] - t_spawn) * 1000 if ok else None
                fs = None
                for _ in range(50):
                    fs = b.first_sync_wall()
                    if fs:
                        break
                    await asyncio.sleep(0.1)
                await asyncio.sleep(cfg["idle_settle_s"])
                m = mem(b.pid)
                rows.append({"first_sync_ms": (fs - t_spawn) * 1000 if fs else None,
                             "first_answer_ms": first_answer, "idle_rss_kib": m})
                log(f"  {name:7s} start {i + 1}: first /sync "
                    f"{fmt(rows[-1]['first_sync_ms'], 1)} ms, first answer "
                    f"{fmt(first_answer, 1)} ms, RSS {m['sum']} KiB")
            st[name] = {
                "runs": rows,
                "first_sync_ms": spread([r["first_sync_ms"] for r in rows]),
                "first_answer_ms": spread([r["first_answer_ms"] for r in rows]),
                "idle_rss_core_kib": spread([r["idle_rss_kib"]["core"] for r in rows]),
                "idle_rss_worker_kib": spread([r["idle_rss_kib"]["worker"] for r in rows]),
                "idle_rss_sum_kib": spread([r["idle_rss_kib"]["sum"] for r in rows]),
                "idle_pss_sum_kib": spread([r["idle_rss_kib"].get("pss_sum") for r in rows])}
        if "floor" in bots:
            st["floor"] = {"idle_rss_sum_kib": spread([mem(bots["floor"].pid)["sum"]])}
        results["startup"] = st

        # -- sustained load --------------------------------------------------------------------
        log("sustained load: increasing rates until p99 doubles")
        sampler = RssSampler()
        sus: dict = {}
        for name in [n for n in ("camas", "nio", "maubot") if n in bots]:
            b = bots[name]
            sampler.bot = b
            steps = []
            base_p99 = None
            for rate in cfg["rates"]:
                s = await load_step(obs, senders, b, questions, rate, cfg["step_s"])
                s["rss_kib"] = mem(b.pid)
                steps.append(s)
                log(f"  {name:7s} {rate:5.0f} q/s: p50 {fmt(s['p50_ms'], 1)} p99 "
                    f"{fmt(s['p99_ms'], 1)} ms, answered {s['answered_per_s']:.1f}/s, "
                    f"errors {s['errors']} drops {s['drops']} dups {s['dups']}")
                if base_p99 is None:
                    base_p99 = s["p99_ms"]
                if (s["p99_ms"] is None or base_p99 is None or s["p99_ms"] >= 2 * base_p99
                        or s["drops"] or s["errors"]):
                    break
                await asyncio.sleep(1.0)
            knee = [s for s in steps if base_p99 and s["p99_ms"] and s["p99_ms"] < 2 * base_p99
                    and not s["drops"] and not s["errors"]]
            sus[name] = {"steps": steps, "base_p99_ms": base_p99,
                         "max_rate_p99_under_2x": knee[-1]["rate"] if knee else None,
                         "max_answered_per_s": max(s["answered_per_s"] for s in steps),
                         "errors": sum(s["errors"] for s in steps),
                         "drops": sum(s["drops"] for s in steps),
                         "dups": sum(s["dups"] for s in steps),
                         "peak_rss_kib": max((x[2] or 0) + (x[3] or 0)
                                             for x in sampler.samples if x[1] == name)
                         if any(x[1] == name for x in sampler.samples) else None}
            sampler.bot = None
            await asyncio.sleep(2.0)
        sampler.stop()
        results["sustained"] = sus
        results["rss_samples"] = sampler.samples

        # -- hot reload under load -------------------------------------------------------------
        if "camas" in bots:
            b = bots["camas"]
            n_reload = cfg["ctl_reloads"]
            log(f"hot reload: {n_reload} x camas ctl reload faq under "
                f"{cfg['reload_load_rate']} q/s")
            sent: list = []
            stop_evt = asyncio.Event()

            async def pump():
                i = 0
                start = time.perf_counter()
                while not stop_evt.is_set():
                    delay = start + i / cfg["reload_load_rate"] - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    try:
                        sent.append(await obs.send(b.room_id, questions[i % len(questions)],
                                                   client=senders[i % len(senders)]))
                    except Exception:  # noqa: BLE001
                        sent.append(None)
                    i += 1

            def reloads():
                times, fails = [], []
                for _ in range(n_reload):
                    t0 = time.perf_counter()
                    r = b.ctl("reload", "faq")
                    times.append((time.perf_counter() - t0) * 1000)
                    if r.returncode != 0:
                        fails.append((r.stdout + r.stderr)[-300:])
                    time.sleep(cfg["reload_interval_s"])  # spread over the load
                return times, fails

            ptask = asyncio.create_task(pump())
            await asyncio.sleep(1.0)
            times, fails = await loop.run_in_executor(None, reloads)
            await asyncio.sleep(1.0)
            stop_evt.set()
            await ptask
            ok_ids = [e for e in sent if e]
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and any(e not in obs.replies for e in ok_ids):
                await asyncio.sleep(0.2)
            await asyncio.sleep(2.0)
            by_msgs = await loop.run_in_executor(
                None, room_replies_by_messages, hs, asker["access_token"], b.room_id, b.user_id)
            results["hot_reload_load"] = {
                "reloads": n_reload, "reload_failures": len(fails), "failure_samples": fails[:3],
                "ctl_reload_ms": spread(times),
                "ctl_reload_p99_ms": pct(times, 99),
                "questions": len(sent), "send_errors": sent.count(None),
                "lost_sync": sum(1 for e in ok_ids if e not in obs.replies),
                "dup_sync": sum(1 for e in ok_ids if len(obs.replies.get(e, [])) > 1),
                "lost_messages": sum(1 for e in ok_ids if e not in by_msgs),
                "dup_messages": sum(1 for e in ok_ids if len(by_msgs.get(e, [])) > 1)}
            log("  " + json.dumps({k: v for k, v in results["hot_reload_load"].items()
                                   if k not in ("ctl_reload_ms", "failure_samples")}))

        for s in senders:
            await s.close()
        await obs.close()
    finally:
        for b in bots.values():
            try:
                b.stop()
            except Exception:  # noqa: BLE001
                if b.proc and b.proc.poll() is None:
                    b.proc.kill()
        hs.stop()


# -- report -------------------------------------------------------------------------------------
def plots(results: dict) -> list:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    files = []
    e2e = results.get("e2e") or {}
    if e2e:
        fig, ax = plt.subplots(figsize=(8, 5))
        for name, d in e2e.items():
            v = sorted(d["all_ms"])
            if v:
                ax.plot(v, [(i + 1) / len(v) for i in range(len(v))], label=LABEL[name])
        ax.set_xscale("log")
        ax.set_xlabel("end-to-end latency, ms (log)")
        ax.set_ylabel("fraction of questions")
        ax.set_title("End-to-end latency: question sent -> answer in the asker's /sync")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(RESULTS / "latency_cdf.png", dpi=110)
        plt.close(fig)
        files.append("latency_cdf.png")
    samples = results.get("rss_samples") or []
    if samples:
        fig, ax = plt.subplots(figsize=(8, 5))
        for name in ("camas", "nio", "maubot"):
            pts = [(t, ((c or 0) + (w or 0)) / 1024) for t, n, c, w in samples if n == name]
            if pts:
                t0 = pts[0][0]
                ax.plot([p[0] - t0 for p in pts], [p[1] for p in pts], label=LABEL[name])
        ax.set_xlabel("seconds into the sustained-load run")
        ax.set_ylabel("RSS, MiB (camas: core + worker)")
        ax.set_yscale("log")
        ax.set_title("Memory under increasing load")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(RESULTS / "rss_over_time.png", dpi=110)
        plt.close(fig)
        files.append("rss_over_time.png")
    sus = results.get("sustained") or {}
    if sus:
        fig, ax = plt.subplots(figsize=(8, 5))
        for name, d in sus.items():
            xs = [s["rate"] for s in d["steps"]]
            ax.plot(xs, [s["p50_ms"] for s in d["steps"]], "o-", label=f"{LABEL[name]} p50")
            ax.plot(xs, [s["p99_ms"] for s in d["steps"]], "s--", label=f"{LABEL[name]} p99")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("offered load, questions/s")
        ax.set_ylabel("end-to-end latency, ms")
        ax.set_title("Throughput curve (stops when p99 doubles)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(RESULTS / "throughput.png", dpi=110)
        plt.close(fig)
        files.append("throughput.png")
    return files


def kib_mib(s: dict) -> dict:
    if not s or s.get("median") is None:
        return s
    return {k: (v / 1024 if isinstance(v, (int, float)) and k != "n" else v)
            for k, v in s.items() if k != "runs"} | {"n": s["n"]}


def report(results: dict, cfg: dict) -> str:
    ip = results.get("inproc") or {}
    e2e = results.get("e2e") or {}
    st = results.get("startup") or {}
    sus = results.get("sustained") or {}
    hr = results.get("hot_reload_load") or {}
    ir = ip.get("instructions") or {}

    def e(name, key):
        return fmt_spread((e2e.get(name) or {}).get(key), 2)

    def ratio_str(a, b, label):
        if a is None or b is None or not b:
            return "n/a"
        return f"{label} {a / b:.2f}×"

    def med(d, *keys):
        for k in keys:
            if not isinstance(d, dict):
                return None
            d = d.get(k)
        return d

    rows = []
    for key, label in (("p50_ms", "End-to-end p50, ms"), ("p90_ms", "End-to-end p90, ms"),
                       ("p99_ms", "End-to-end p99, ms")):
        cm, fl = med(e2e, "camas", key, "median"), med(e2e, "floor", key, "median")
        diff = f"camas−floor {cm - fl:+.2f} ms" if cm is not None and fl is not None else "n/a"
        rows.append([label, e("camas", key), e("nio", key), e("maubot", key), e("floor", key),
                     diff])
    for key, label in (("p50_ms", "End-to-end p50, all runs pooled, ms"),
                       ("p99_ms", "End-to-end p99, all runs pooled, ms")):
        pool = {n: e2e[n]["pooled"][key] for n in TARGETS if n in e2e}
        cm, fl = pool.get("camas"), pool.get("floor")
        rows.append([label] + [fmt(pool.get(n), 2) for n in TARGETS] + [
            f"camas−floor {cm - fl:+.2f} ms" if cm is not None and fl is not None else "n/a"])
    rows.append(["End-to-end questions measured (drops / dups / send errors)"] + [
        (f"{len(e2e[n]['all_ms'])} ({e2e[n]['drops']} / {e2e[n]['dups']} / {e2e[n]['errors']})"
         if n in e2e else "n/a") for n in TARGETS] + [""])
    rows.append(["Sustained: highest rate with p99 < 2× lowest-rate p99, q/s"] + [
        fmt(med(sus, n, "max_rate_p99_under_2x"), 0) if n in sus else "n/a"
        for n in ("camas", "nio", "maubot")] + ["—", ratio_str(
            med(sus, "camas", "max_rate_p99_under_2x"), med(sus, "nio", "max_rate_p99_under_2x"),
            "camas/nio")])
    rows.append(["Sustained: best answered throughput, answers/s"] + [
        fmt(med(sus, n, "max_answered_per_s"), 1) if n in sus else "n/a"
        for n in ("camas", "nio", "maubot")] + ["—", ""])
    rows.append(["Sustained: errors / drops / duplicates"] + [
        f"{sus[n]['errors']} / {sus[n]['drops']} / {sus[n]['dups']}" if n in sus else "n/a"
        for n in ("camas", "nio", "maubot")] + ["—", ""])
    rows.append(["In-process throughput (camas bench ask, 1 core, questions in flight), "
                 "questions/s",
                 fmt_spread(med(ip, "ask", "pipelined_per_second"), 0), "—", "—", "—",
                 "router + safety + plugin worker, both processes on core 0"])
    rows.append(["In-process one question at a time, questions/s",
                 fmt_spread(med(ip, "ask", "per_second"), 0), "—", "—", "—",
                 "each waits for the previous answer"])
    rows.append(["In-process one at a time: time per question p50 / p99, µs",
                 f"{fmt((med(ip, 'ask', 'p50_ns', 'median') or 0) / 1e3, 1)} / "
                 f"{fmt((med(ip, 'ask', 'p99_ns', 'median') or 0) / 1e3, 1)}",
                 "—", "—", "—", ""])
    rows.append(["Instructions per question, core process (callgrind)",
                 fmt(ir.get("ask_core_per_question"), 0), "—", "—", "—",
                 "worker not counted (seccomp)"])
    rows.append(["Matcher only, shipped knowledge: questions/s",
                 fmt_spread(med(ip, "match", "real", "per_second"), 0), "—", "—", "—", ""])
    rows.append(["Matcher only, shipped knowledge: p99 µs / instructions per question",
                 f"{fmt((med(ip, 'match', 'real', 'p99_ns', 'median') or 0) / 1e3, 1)} / "
                 f"{fmt(ir.get('match_real_per_question'), 0)}", "—", "—", "—", ""])
    rows.append(["Matcher only, 10,000 entries: questions/s",
                 fmt_spread(med(ip, "match", "synthetic", "per_second"), 0), "—", "—", "—", ""])
    rows.append(["Matcher only, 10,000 entries: p99 µs / instructions per question",
                 f"{fmt((med(ip, 'match', 'synthetic', 'p99_ns', 'median') or 0) / 1e3, 1)} / "
                 f"{fmt(ir.get('match_synthetic_per_question'), 0)}", "—", "—", "—", ""])

    def rss(n, k):
        return fmt_spread(kib_mib(med(st, n, k)), 2)
    rows.append(["Idle RSS after start, MiB (camas core)", rss("camas", "idle_rss_core_kib"),
                 "—", "—", "—", ""])
    rows.append(["Idle RSS after start, MiB (camas worker)", rss("camas", "idle_rss_worker_kib"),
                 "—", "—", "—", ""])
    cs = med(st, "camas", "idle_rss_sum_kib", "median")
    rows.append(["Idle RSS after start, MiB (sum)", rss("camas", "idle_rss_sum_kib"),
                 rss("nio", "idle_rss_sum_kib"), rss("maubot", "idle_rss_sum_kib"),
                 rss("floor", "idle_rss_sum_kib"),
                 ", ".join(x for x in (
                     ratio_str(med(st, "nio", "idle_rss_sum_kib", "median"), cs, "nio/camas"),
                     ratio_str(med(st, "maubot", "idle_rss_sum_kib", "median"), cs,
                               "maubot/camas")) if x != "n/a") or "n/a"])
    rows.append(["Idle PSS after start, MiB (sum; shared library pages split)"] + [
        rss(n, "idle_pss_sum_kib") for n in ("camas", "nio", "maubot")] + ["—", ratio_str(
            med(st, "nio", "idle_pss_sum_kib", "median"),
            med(st, "camas", "idle_pss_sum_kib", "median"), "nio/camas")])
    pk = {n: med(sus, n, "peak_rss_kib") for n in ("camas", "nio", "maubot")}
    rows.append(["Peak RSS under sustained load, MiB (sum)"] + [
        fmt(pk[n] / 1024, 2) if pk[n] else "n/a" for n in ("camas", "nio", "maubot")] + [
        "—", ratio_str(pk["nio"], pk["camas"], "nio/camas")])
    rows.append(["Start-up: process start → first /sync request, ms"] + [
        fmt_spread(med(st, n, "first_sync_ms"), 1) for n in ("camas", "nio", "maubot")] + [
        "—", ratio_str(med(st, "nio", "first_sync_ms", "median"),
                       med(st, "camas", "first_sync_ms", "median"), "nio/camas")])
    rows.append(["Start-up: process start → first answer to a waiting question, ms"] + [
        fmt_spread(med(st, n, "first_answer_ms"), 1) for n in ("camas", "nio", "maubot")] + [
        "—", ratio_str(med(st, "nio", "first_answer_ms", "median"),
                       med(st, "camas", "first_answer_ms", "median"), "nio/camas")])
    rows.append(["Hot reload (camas bench reload: verify+load+swap faq) p50 / p99, ms",
                 f"{fmt_spread({k: (v / 1e6 if isinstance(v, (int, float)) and k != 'n' else v) for k, v in (med(ip, 'reload', 'p50_ns') or {}).items() if k != 'runs'}, 2)} / "
                 f"{fmt((med(ip, 'reload', 'p99_ns', 'median') or 0) / 1e6, 2)}",
                 "—", "—", "—", ""])
    rows.append(["Instructions per reload, core process (callgrind)",
                 fmt(ir.get("reload_core_per_reload"), 0), "—", "—", "—",
                 "worker not counted (seccomp)"])
    if hr:
        rows.append([f"{hr['reloads']} × `camas ctl reload faq` under load: lost / duplicated "
                     f"answers (sync stream; /messages)",
                     f"{hr['lost_sync']} / {hr['dup_sync']}; {hr['lost_messages']} / "
                     f"{hr['dup_messages']} of {hr['questions']} questions", "—", "—", "—", ""])
        rows.append(["`camas ctl reload faq` round trip under load, ms",
                     fmt_spread(hr["ctl_reload_ms"], 1), "—", "—", "—", ""])
    rows.append(["/sync processing, 1,000 rooms (camas bench sync), MB/s",
                 fmt_spread(med(ip, "sync", "mb_per_s"), 1), "—", "—", "—",
                 f"{fmt((ip.get('sync_fixture') or {}).get('bytes', 0) / 1e6, 2)} MB, "
                 f"{(ip.get('sync_fixture') or {}).get('events')} events; "
                 f"{fmt(ir.get('sync_per_event'), 0)} instructions/event"])

    # -- budgets
    budgets = []

    def budget(text, ok, measured):
        budgets.append((text, "n/a" if ok is None else ("met" if ok else "**missed**"),
                        measured))
    # Budgets on all samples pooled: a p99 of one 100-question run is its single worst answer.
    def pooled(n, key):
        return e2e[n]["pooled"][key] if n in e2e else None
    cm50, fl50 = pooled("camas", "p50_ms"), pooled("floor", "p50_ms")
    budget("End-to-end p50 within 2 ms of the floor",
           None if cm50 is None or fl50 is None else cm50 - fl50 <= 2.0,
           f"camas {fmt(cm50, 2)} ms vs floor {fmt(fl50, 2)} ms "
           f"({'n/a' if cm50 is None or fl50 is None else f'{cm50 - fl50:+.2f}'} ms)")
    cm99 = pooled("camas", "p99_ms")
    others = {n: pooled(n, "p99_ms") for n in ("nio", "maubot") if n in e2e}
    budget("End-to-end p99 no worse than any baseline",
           None if cm99 is None or not others else all(cm99 <= v for v in others.values()),
           f"camas {fmt(cm99, 2)} ms; " + ", ".join(f"{LABEL[n]} {fmt(v, 2)} ms"
                                                    for n, v in others.items()))
    qps = med(ip, "ask", "pipelined_per_second", "median")
    seq = med(ip, "ask", "per_second", "median")
    mq = med(ip, "match", "real", "per_second", "median")
    budget("In-process ≥50,000 questions/s on one core, shipped knowledge (camas bench ask, "
           "router + plugin worker)", None if qps is None else qps >= 50000,
           f"{fmt(qps, 0)} questions/s with questions in flight; {fmt(seq, 0)}/s one at a "
           f"time (matcher alone: {fmt(mq, 0)} questions/s)")
    p99s = med(ip, "match", "synthetic", "p99_ns", "median")
    budget("In-process <1 ms p99 with 10,000 entries (matcher, eval_match)",
           None if p99s is None else p99s < 1e6, f"p99 {fmt((p99s or 0) / 1e3, 1)} µs")
    rs = med(st, "camas", "idle_rss_sum_kib", "median")
    budget("RSS <8 MiB idle, all plugins and knowledge loaded (core + worker)",
           None if rs is None else rs < 8 * 1024,
           f"{fmt((rs or 0) / 1024, 2)} MiB (core {fmt((med(st, 'camas', 'idle_rss_core_kib', 'median') or 0) / 1024, 2)}, "
           f"worker {fmt((med(st, 'camas', 'idle_rss_worker_kib', 'median') or 0) / 1024, 2)})")
    py = {n: med(st, n, "idle_rss_sum_kib", "median") for n in ("nio", "maubot") if n in st}
    budget("RSS ≥5× below the Python baselines",
           None if rs is None or not py else all(v / rs >= 5 for v in py.values() if v),
           ", ".join(f"{LABEL[n]} {fmt(v / 1024, 1)} MiB = {v / rs:.1f}×" for n, v in py.items()
                     if v and rs))
    fs = med(st, "camas", "first_sync_ms", "median")
    budget("Start-up <50 ms to the first /sync request", None if fs is None else fs < 50,
           f"{fmt(fs, 1)} ms (median of {med(st, 'camas', 'first_sync_ms', 'n')} starts)")
    rl = med(ip, "reload", "p50_ns", "median")
    budget("One hot reload <5 ms (camas bench reload p50)", None if rl is None else rl < 5e6,
           f"{fmt((rl or 0) / 1e6, 2)} ms p50")
    if hr:
        budget("100 reloads under load: zero lost or duplicated answers",
               hr["lost_messages"] == 0 and hr["dup_messages"] == 0 and hr["lost_sync"] == 0
               and hr["dup_sync"] == 0,
               f"lost {hr['lost_messages']}, duplicated {hr['dup_messages']} of "
               f"{hr['questions']} (by event id, /messages)")
    for n in ("camas", "nio"):
        if n in sus:
            budget(f"Sustained load: zero errors, drops and duplicates ({LABEL[n]})",
                   sus[n]["errors"] == 0 and sus[n]["drops"] == 0 and sus[n]["dups"] == 0,
                   f"{sus[n]['errors']} / {sus[n]['drops']} / {sus[n]['dups']}")
    results["budgets"] = [{"budget": b[0], "status": b[1].strip("*"), "measured": b[2]}
                          for b in budgets]

    out = [f"# camas benchmark results\n",
           f"Run {results['started']} on {results['host']['cpus']} CPUs "
           f"({results['host']['cpu_model']}), {results['host']['kernel']}; camas "
           f"{results['host'].get('camas_version', '?')} at git {results['host'].get('git', '?')}; "
           f"Synapse {results['host'].get('synapse', '?')}, matrix-nio "
           f"{results['host'].get('nio', '?')}, maubot {results['host'].get('maubot', 'n/a')}. "
           f"Whole run: {results.get('duration_s', 0):.0f} s.\n",
           "Each figure is the **median over repeated runs, [min–max] across runs** "
           f"(end-to-end: {cfg['e2e_reps']} interleaved runs of {cfg['e2e_per_rep']} questions "
           f"per bot; in-process: {cfg['inproc_runs']} runs; start-up: {cfg['startups']} "
           f"restarts, maubot {cfg['startups_maubot']}). All bots run at the same time against "
           "the same Synapse on loopback, each in its own help room; rate limits are lifted "
           "for every user (admin override_ratelimit) and in camas's config.\n",
           "## Results\n",
           "| figure | camas | nio baseline | maubot | floor | ratio |",
           "| --- | --- | --- | --- | --- | --- |"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    out += ["", "## Budgets (issue 6)\n", "| budget | status | measured |", "| --- | --- | --- |"]
    out += [f"| {b[0]} | {b[1]} | {b[2]} |" for b in budgets]
    if results.get("plots"):
        out += ["", "## Plots\n"] + [f"![{p}]({p})" for p in results["plots"]]
    out += ["", "## Sustained load steps\n",
            "| bot | offered q/s | sent | p50 ms | p90 ms | p99 ms | answers/s | errors | drops "
            "| dups | RSS MiB |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for n, d in sus.items():
        for s in d["steps"]:
            out.append(f"| {LABEL[n]} | {s['rate']:g} | {s['sent']} | {fmt(s['p50_ms'], 1)} | "
                       f"{fmt(s['p90_ms'], 1)} | {fmt(s['p99_ms'], 1)} | "
                       f"{s['answered_per_s']:.1f} | {s['errors']} | {s['drops']} | "
                       f"{s['dups']} | {fmt((s['rss_kib']['sum'] or 0) / 1024, 2)} |")
    notes = ["", "## What was measured, and what could not be\n",
             "- **End-to-end**: the asker (matrix-nio `AsyncClient`) sends a question with "
             "`room_send` and times until the bot's reply (an event whose `m.in_reply_to` is the "
             "question) arrives in its own long-poll `/sync` stream; the clock starts before "
             "`room_send`. Floor = the same two hops with a matrix-nio client that replies a "
             "fixed text as soon as its `/sync` delivers the question (bench/baselines/nio_bot.py "
             "--floor).",
             "- **Baselines**: bench/baselines/nio_bot.py (matrix-nio) and a maubot standalone "
             "plugin (bench/baselines/maubot_plugin), both answering from the same knowledge/ "
             "YAML by keyword overlap (bench/baselines/kb.py), m.notice in reply.",
             "- **Sustained load**: open loop, questions spread over "
             f"{cfg['senders']} sender accounts, {cfg['step_s']:g} s per step, rates "
             f"{', '.join(str(r) for r in cfg['rates'])} q/s, stopping after the first step whose "
             "p99 is ≥2× the lowest-rate p99 (or that lost anything). Synapse (Python, SQLite, "
             "same 2 cores) is part of every path, so it bounds every bot's throughput.",
             "- **Memory**: VmRSS from /proc; camas = core process + its plugin worker(s) "
             "(every descendant). Idle = "
             f"{cfg['idle_settle_s']:g} s after a (re)start that answered one waiting question.",
             "- **Start-up**: wall clock from just before exec to the bot's own timestamped "
             "'first /sync request sent' line (camas: its log; nio baseline: its stderr; maubot: "
             "mautrix's request log) and to the reply's arrival in the asker's /sync. Warm "
             "starts (the state directory / sync token exists); each start finds one question "
             "waiting.",
             "- **Instruction counts**: `perf stat -e instructions` reports `<not supported>` on "
             "this VM (no PMU), so callgrind is used. Only the process callgrind runs is counted: "
             "camas's plugin worker is sandboxed with seccomp and callgrind cannot write its "
             "output there, so `bench ask`/`bench reload` counts cover the core process only "
             "(router, IPC, reply building), and eval_match counts cover "
             "`camas_matcher_query` only. Counts are differences between two run lengths, so "
             "start-up costs cancel.",
             ]
    if results.get("bot_failures"):
        for n, why in results["bot_failures"].items():
            notes.append(f"- **{LABEL[n]} could not be measured**: {why.splitlines()[0] if why else '?'}")
    if results.get("maubot_install_error"):
        notes.append(f"- **maubot could not be installed**: {results['maubot_install_error']}")
    if ir:
        errs = [f"{k}: {v}" for k, v in ir.items() if k.endswith("_error")]
        if errs:
            notes.append("- callgrind failures: " + "; ".join(errs))
    out += notes
    return "\n".join(out) + "\n"


def host_info() -> dict:
    info = {"cpus": os.cpu_count(), "kernel": os.uname().release}
    try:
        info["cpu_model"] = next(
            line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name"))
    except (OSError, StopIteration):
        info["cpu_model"] = "?"
    try:
        info["git"] = run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"]).stdout.strip() + (
            "+dirty" if run(["git", "-C", REPO, "status", "--porcelain", "--", "core",
                             "plugins"]).stdout.strip() else "")
        info["camas_version"] = run([CAMAS_BIN, "--version"]).stdout.strip()
    except Exception:  # noqa: BLE001
        pass
    from importlib import metadata
    for k, p in (("synapse", "matrix-synapse"), ("nio", "matrix-nio")):
        try:
            info[k] = metadata.version(p)
        except metadata.PackageNotFoundError:
            pass
    r = run([MAUBOT_VENV / "bin" / "python", "-c",
             "from importlib import metadata; print(metadata.version('maubot'))"]) \
        if (MAUBOT_VENV / "bin" / "python").exists() else None
    if r and r.returncode == 0:
        info["maubot"] = r.stdout.strip()
    return info


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small counts, for trying it out")
    ap.add_argument("--skip-inproc", action="store_true")
    ap.add_argument("--skip-matrix", action="store_true")
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--maubot-error", default="", help="(from bench/run) why maubot is missing")
    a = ap.parse_args()
    cfg = {"inproc_runs": 5, "ask_rounds": 20, "match_rounds": 20, "reload_n": 100,
           "sync_rounds": 5, "callgrind": not a.no_callgrind,
           "e2e_reps": 8, "e2e_per_rep": 100, "senders": 4, "startups": 7,
           "startups_maubot": 4, "idle_settle_s": 1.5,
           "rates": [2, 4, 8, 16, 32, 48, 64, 96], "step_s": 8.0,
           "ctl_reloads": 100, "reload_load_rate": 20, "reload_interval_s": 0.1}
    if a.quick:
        cfg.update(inproc_runs=2, ask_rounds=3, match_rounds=3, reload_n=10, sync_rounds=2,
                   e2e_reps=2, e2e_per_rep=20, startups=2, startups_maubot=1,
                   rates=[4, 16], step_s=3.0, ctl_reloads=10)
    cfg["maubot_ok"] = (MAUBOT_VENV / "bin" / "python").exists() and not a.maubot_error
    if TMP.exists():
        shutil.rmtree(TMP)
    TMP.mkdir(parents=True)
    t0 = time.time()
    results: dict = {"started": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                     "config": cfg, "host": host_info()}
    if a.maubot_error:
        results["maubot_install_error"] = a.maubot_error
    if not a.skip_inproc:
        results["inproc"] = in_process(cfg)
    if not a.skip_matrix:
        asyncio.run(matrix_phases(cfg, results))
    results["duration_s"] = time.time() - t0
    results["plots"] = plots(results)
    md = report(results, cfg)
    for d in (results.get("e2e") or {}).values():
        d["all_ms"] = [round(x, 3) for x in d["all_ms"]]
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=1, default=str) + "\n")
    (RESULTS / "latest.md").write_text(md)
    log(f"wrote {RESULTS / 'latest.md'} and latest.json in {results['duration_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
