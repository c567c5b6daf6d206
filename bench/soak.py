#!/usr/bin/env python3
"""camas soak run (issue 11, item 4). Not part of CI: one long run, results committed.

For --minutes N (default 30) against a real Synapse on loopback (tests/harness), one camas
with a help room and a staff room gets a mixed, steady stream of traffic while it is being
hurt:

  - ordinary questions in English and French (tests/fixtures/questions.yaml and
    dev-questions.yaml, kinds answer/decline/unknown), about one every 3 s, from four askers;
  - danger messages (tests/fixtures/dev-danger-2.yaml, label danger) from their own user,
    about one every 30 s: every one must get a reply carrying the hotline;
  - floods: one user sends 20 questions within about a second (the help room allows
    `limits.help_user_per_minute` = 10 per user, so about half are rate-limited by design
    and get no answer; every other flood hides a danger message, which must still get the
    hotline);
  - staff-room questions that mention camas, about one every 45 s;
  - admin reloads, in turn `camas ctl reload all`, `camas ctl knowledge-reload` and SIGHUP;
  - `kill -9` every ~4 minutes, in turn: core and worker together, the core alone (the
    worker must not outlive it), the worker alone (the core must start a new one); camas is
    started again after 0.5-20 s of downtime while the traffic goes on;
  - two Synapse restarts (at about 37% and 72% of the run).

Every sent event id is kept. At the end (after a drain) the bot's replies are read back with
/messages and each message is classified: answered once, lost (should have been answered
and was not), duplicated (more than one reply, the hotline-then-answer pair of a danger
message excepted: camas sends the hotline as its own event when its worker is not warm),
rate-limited (a flood message camas logged as "rate limit: not answering"), danger without
hotline. The RSS and open fd count (/proc/PID/fd) of the core and the worker are sampled
every 5 s across restarts.

Writes bench/results/soak.md, soak.json and soak_rss_fd.png (scratch files in
bench/results/tmp/soak/). --quick runs about 3 minutes with everything compressed, to try
changes to this script.

    CAMAS_VENV=/path/to/venv $CAMAS_VENV/bin/python bench/soak.py [--minutes 30] [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(BENCH))

import yaml  # noqa: E402
from harness import Camas, HttpError, Synapse, http_json, wait_for  # noqa: E402
from bench import descendants, host_info, pct, rss_kib  # noqa: E402

CAMAS_BIN = REPO / "build" / "camas"
RESULTS = BENCH / "results"
TMP = RESULTS / "tmp" / "soak"
HOTLINE = "1-888-373-7888"
RL_LINE = "rate limit: not answering "


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# -- inputs ---------------------------------------------------------------------------------
def load_inputs() -> dict:
    """Ordinary questions (answer/decline/unknown: all get a reply in a help room) and danger
    messages. Never tests/eval/ (the frozen evaluation set)."""
    qs = []
    for name in ("questions.yaml", "dev-questions.yaml"):
        for q in yaml.safe_load((REPO / "tests/fixtures" / name).read_text())["questions"]:
            if q.get("kind", "answer") in ("answer", "decline", "unknown"):
                qs.append({"text": " ".join(q["q"].split()), "lang": q.get("lang", "en"),
                           "kind": q.get("kind", "answer"), "src": name})
    danger = [{"text": " ".join(m["text"].split()), "lang": m.get("lang", "en")}
              for m in yaml.safe_load((REPO / "tests/fixtures/dev-danger-2.yaml").read_text())
              ["messages"] if m.get("label") == "danger"]
    return {"questions": qs, "danger": danger}


# -- processes --------------------------------------------------------------------------------
def fd_count(pid: int) -> Optional[int]:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def alive_pid(pid: int) -> bool:
    try:
        st = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return st[st.rindex(")") + 2] != "Z"


class Sampler:
    """Every `every` seconds: RSS and open fds of the core and of its descendants (the
    worker), whatever their pids are after restarts."""

    def __init__(self, camas: Camas, t0: float, every: float = 5.0):
        self.camas, self.t0, self.every = camas, t0, every
        self.samples: list = []
        self.stopped = False
        self.th = threading.Thread(target=self._run, daemon=True)
        self.th.start()

    def sample(self) -> dict:
        t = time.monotonic() - self.t0
        p = self.camas.proc
        if p is None or p.poll() is not None:
            return {"t": round(t, 1), "core_pid": None}
        kids = descendants(p.pid)
        return {"t": round(t, 1), "core_pid": p.pid, "worker_pids": kids,
                "core_rss_kib": rss_kib(p.pid), "core_fds": fd_count(p.pid),
                "worker_rss_kib": sum(rss_kib(k) or 0 for k in kids) if kids else None,
                "worker_fds": sum(fd_count(k) or 0 for k in kids) if kids else None}

    def _run(self) -> None:
        while not self.stopped:
            try:
                self.samples.append(self.sample())
            except Exception as e:  # noqa: BLE001 - a process vanishing mid-read
                self.samples.append({"t": round(time.monotonic() - self.t0, 1),
                                     "error": str(e)})
            time.sleep(self.every)

    def stop(self) -> None:
        self.stopped = True
        self.th.join(timeout=self.every + 2)


# -- Matrix ------------------------------------------------------------------------------------
class Sender:
    """One user who sends with plain HTTP. A send keeps its txn id across retries (Synapse
    restarts), so a retry can never make a second event."""

    def __init__(self, hs: Synapse, login: dict):
        self.hs, self.token, self.user_id = hs, login["access_token"], login["user_id"]

    def send(self, room_id: str, content: dict, patience: float = 180.0) -> Optional[str]:
        txn = uuid.uuid4().hex
        url = (f"{self.hs.url}/_matrix/client/v3/rooms/{urllib.parse.quote(room_id)}"
               f"/send/m.room.message/{txn}")
        deadline = time.monotonic() + patience
        while True:
            try:
                return http_json("PUT", url, content, token=self.token, timeout=30)["event_id"]
            except (HttpError, urllib.error.URLError, OSError) as e:
                if isinstance(e, HttpError) and e.status < 500 and e.status != 429:
                    raise
                if time.monotonic() > deadline:
                    return None
                time.sleep(0.5)

    def join(self, room_id: str) -> None:
        http_json("POST", f"{self.hs.url}/_matrix/client/v3/join/"
                  f"{urllib.parse.quote(room_id)}", {}, token=self.token)


def room_events(hs: Synapse, token: str, room_id: str) -> list:
    """Every timeline event of the room, oldest first, from /messages."""
    out: list = []
    frm = None
    base = f"{hs.url}/_matrix/client/v3/rooms/{urllib.parse.quote(room_id)}/messages"
    for _ in range(1000):
        q = {"dir": "b", "limit": "500"}
        if frm:
            q["from"] = frm
        page = http_json("GET", f"{base}?{urllib.parse.urlencode(q)}", token=token, timeout=60)
        out.extend(page.get("chunk") or [])
        frm = page.get("end")
        if not page.get("chunk") or not frm:
            break
    out.reverse()
    return out


def in_reply_to(e: dict) -> Optional[str]:
    rel = (e.get("content") or {}).get("m.relates_to") or {}
    return (rel.get("m.in_reply_to") or {}).get("event_id")


# -- the run ---------------------------------------------------------------------------------------
class Soak:
    def __init__(self, cfg: dict):
        self.cfg = cfg
        self.rng = random.Random(cfg["seed"])
        self.inputs = load_inputs()
        self.sent: list = []      # {eid, kind, room, sender, text, t, phase}
        self.actions: list = []   # {t, what, ...}
        self.send_failures: list = []
        self.camas_down_since: Optional[float] = None
        self.synapse_down = False
        self.qi = self.rng.randrange(len(self.inputs["questions"]))
        self.di = self.rng.randrange(len(self.inputs["danger"]))

    # -- helpers --------------------------------------------------------------------------------
    def now(self) -> float:
        return time.monotonic() - self.t0

    def act(self, what: str, **kw) -> None:
        a = {"t": round(self.now(), 1), "what": what, **kw}
        self.actions.append(a)
        log(f"  t={a['t']:7.1f}s {what} " + " ".join(f"{k}={v}" for k, v in kw.items()))

    def next_question(self) -> dict:
        q = self.inputs["questions"][self.qi % len(self.inputs["questions"])]
        self.qi += 1
        return q

    def next_danger(self) -> dict:
        d = self.inputs["danger"][self.di % len(self.inputs["danger"])]
        self.di += 1
        return d

    def send(self, who: Sender, room: str, kind: str, text: str, mention: bool = False,
             **extra) -> Optional[str]:
        content = {"msgtype": "m.text", "body": text, "m.mentions": {"user_ids": []}}
        if mention:
            content["body"] = f"{self.bot_localpart}: {text}"
            content["m.mentions"] = {"user_ids": [self.bot_user]}
        t = self.now()
        eid = who.send(room, content)
        rec = {"eid": eid, "kind": kind, "room": "help" if room == self.help_room else "staff",
               "sender": who.user_id, "text": text[:200], "t": round(t, 2),
               "camas_up": self.camas.alive, **extra}
        if eid is None:
            self.send_failures.append(rec)
        else:
            self.sent.append(rec)
        return eid

    # -- set-up ----------------------------------------------------------------------------------
    def setup(self) -> None:
        if TMP.exists():
            shutil.rmtree(TMP)
        TMP.mkdir(parents=True)
        log("starting Synapse")
        self.hs = Synapse(TMP / "synapse")
        self.hs.start()
        pw = lambda: "pw-" + secrets.token_hex(8)  # noqa: E731
        admin = self.hs.register("soakadmin", pw(), admin=True)
        self.reader = admin
        bot_pw = pw()
        bot = self.hs.register("camas-soak", bot_pw)
        self.bot_user = bot["user_id"]
        self.bot_localpart = "camas-soak"
        self.admin = Sender(self.hs, admin)
        self.askers = [Sender(self.hs, self.hs.register(f"asker{i}", pw())) for i in range(4)]
        self.flooder = Sender(self.hs, self.hs.register("flooder", pw()))
        self.danger_user = Sender(self.hs, self.hs.register("worried", pw()))
        self.staff = Sender(self.hs, self.hs.register("staffer", pw()))
        mk = lambda name: http_json(  # noqa: E731
            "POST", f"{self.hs.url}/_matrix/client/v3/createRoom",
            {"name": name, "room_alias_name": name, "preset": "public_chat",
             "creation_content": {"m.federate": False}}, token=admin["access_token"])["room_id"]
        self.help_room, self.staff_room = mk("soak-help"), mk("soak-staff")
        for s in self.askers + [self.flooder, self.danger_user]:
            s.join(self.help_room)
        self.staff.join(self.staff_room)
        self.camas = Camas(TMP / "camas", {
            "homeserver": {"url": self.hs.url},
            "auth": {"user_id": self.bot_user, "password": bot_pw},
            "rooms": [{"id": self.help_room, "kind": "help"},
                      {"id": self.staff_room, "kind": "staff"}],
            "invites": {"allow": []},
            "limits": {"help_user_per_minute": self.cfg["help_user_per_minute"],
                       "help_room_per_minute": 0},
            "sync": {"timeout_ms": 30000},
            "log_level": "info",
        }, binary=CAMAS_BIN, log_level="info")
        log("starting camas, waiting for the worker's model")
        self.camas.start()
        self.camas.wait_ready(timeout=120)
        self.camas.wait_understanding(timeout=300)
        # a first question, answered, so the soak starts from a camas that works
        s = self.askers[0]
        probe = s.send(self.help_room, {"msgtype": "m.text", "body": "who chairs WashACT?"})
        wait_for(lambda: any(in_reply_to(e) == probe and e.get("sender") == self.bot_user
                             for e in room_events(self.hs, s.token, self.help_room)),
                 timeout=60, interval=0.5, what="camas to answer the probe")
        self.probe = probe

    # -- faults and admin -----------------------------------------------------------------------
    def camas_pids(self) -> tuple:
        p = self.camas.proc
        if p is None or p.poll() is not None:
            return None, []
        return p.pid, descendants(p.pid)

    def kill(self, mode: str) -> None:
        core, workers = self.camas_pids()
        if core is None:
            self.act("kill skipped (camas not running)", mode=mode)
            return
        if mode == "worker":
            if not workers:
                self.act("kill skipped (no worker)", mode=mode)
                return
            for w in workers:
                os.kill(w, signal.SIGKILL)
            self.act("kill -9", mode=mode, pids=workers)
            self.respawn_check = (self.now() + 5.0, core, workers)
            return
        if mode == "both":
            for w in workers:
                os.kill(w, signal.SIGKILL)
        self.camas.kill()
        self.act("kill -9", mode=mode, pids=[core] + (workers if mode == "both" else []))
        self.camas_down_since = self.now()
        self.orphan_check = (self.now() + 3.0, workers) if mode == "core" else None

    def check_orphans(self) -> None:
        oc = getattr(self, "orphan_check", None)
        if not oc or self.now() < oc[0]:
            return
        self.orphan_check = None
        left = [w for w in oc[1] if alive_pid(w)]
        self.act("orphan check 3 s after killing the core alone", workers=oc[1],
                 still_alive=left)
        for w in left:
            try:
                os.kill(w, signal.SIGKILL)
            except OSError:
                pass

    def check_respawn(self) -> None:
        rc = getattr(self, "respawn_check", None)
        if not rc or self.now() < rc[0]:
            return
        self.respawn_check = None
        core, workers = self.camas_pids()
        self.act("worker check 5 s after killing the worker alone",
                 same_core=core == rc[1], old_workers=rc[2], new_workers=workers)

    def start_camas(self) -> None:
        down = self.now() - (self.camas_down_since or self.now())
        self.camas.start()
        self.camas_down_since = None
        self.act("camas started", downtime_s=round(down, 1))

    def restart_synapse(self) -> None:
        self.act("Synapse restart begins")
        t = time.monotonic()
        self.hs.restart()
        self.act("Synapse restart done", took_s=round(time.monotonic() - t, 1))

    def reload(self, how: str) -> None:
        core, _ = self.camas_pids()
        if core is None:
            self.act("reload skipped (camas down)", how=how)
            return
        if how == "SIGHUP":
            os.kill(core, signal.SIGHUP)
            self.act("reload", how=how)
            return
        args = how.split()
        t = time.monotonic()
        r = subprocess.run([str(CAMAS_BIN), "--state", str(self.camas.state_dir), "ctl",
                            *args], capture_output=True, text=True, timeout=60)
        self.act("reload", how=f"camas ctl {how}", rc=r.returncode,
                 ms=round((time.monotonic() - t) * 1000),
                 out=(r.stdout + r.stderr).strip()[-160:])

    def flood(self, n: int, with_danger: bool) -> None:
        """n messages from one user as fast as four concurrent sends go (~1 s here)."""
        t = time.monotonic()
        di = n // 2 if with_danger else -1
        msgs = []
        for i in range(n):
            if i == di:
                d = self.next_danger()
                msgs.append(("flood-danger", d))
            else:
                msgs.append(("flood", self.next_question()))
        with ThreadPoolExecutor(self.cfg["flood_threads"]) as pool:
            list(pool.map(lambda m: self.send(self.flooder, self.help_room, m[0],
                                              m[1]["text"], lang=m[1]["lang"]), msgs))
        self.act("flood", messages=n, with_danger=with_danger,
                 took_s=round(time.monotonic() - t, 2))

    # -- the schedule ---------------------------------------------------------------------------
    def plan(self) -> list:
        """(t, action, args) for the faults, floods and reloads; questions are paced apart."""
        c, dur, rng = self.cfg, self.cfg["minutes"] * 60.0, self.rng
        ev = []
        hs_at = [0.37 * dur, 0.72 * dur]
        for t in hs_at:
            ev.append((t, "synapse", ()))
        modes = ["both", "core", "worker"]
        t, k = c["kill_every"] * 0.8, 0
        while t < dur - 25:
            if all(abs(t - h) > min(25.0, c["kill_every"] / 3) for h in hs_at):
                mode = modes[k % 3]
                ev.append((t, "kill", (mode,)))
                if mode != "worker":
                    ev.append((t + rng.uniform(0.5, 20.0), "start", ()))
                k += 1
            else:
                t += 30
                continue
            t += c["kill_every"] * rng.uniform(0.85, 1.15)
        t, f = c["flood_every"] * 0.4, 0
        while t < dur - 10:
            ev.append((t, "flood", (c["flood_size"], f % 2 == 1)))
            t += c["flood_every"] * rng.uniform(0.9, 1.1)
            f += 1
        hows = ["reload all", "knowledge-reload", "SIGHUP"]
        t, r = c["reload_every"] * 0.5, 0
        while t < dur - 5:
            ev.append((t, "reload", (hows[r % 3],)))
            t += c["reload_every"] * rng.uniform(0.8, 1.2)
            r += 1
        return sorted(ev, key=lambda e: e[0])

    def run(self) -> None:
        c = self.cfg
        dur = c["minutes"] * 60.0
        self.t0 = time.monotonic()
        self.wall0 = time.time()
        self.sampler = Sampler(self.camas, self.t0, c["sample_every"])
        plan = self.plan()
        self.planned = [{"t": round(t, 1), "action": a, "args": list(args)}
                        for t, a, args in plan]
        log(f"soak: {c['minutes']} min, {len(plan)} scheduled actions "
            f"({sum(1 for p in plan if p[1] == 'kill')} kills, "
            f"{sum(1 for p in plan if p[1] == 'flood')} floods, "
            f"{sum(1 for p in plan if p[1] == 'reload')} reloads, 2 Synapse restarts)")
        nxt = {"question": 1.0, "danger": c["danger_every"] * 0.3, "staff": c["staff_every"] * 0.5}
        ai = 0
        last_report = 0.0
        while self.now() < dur:
            now = self.now()
            while plan and plan[0][0] <= now:
                _, a, args = plan.pop(0)
                if a == "kill":
                    self.kill(*args)
                elif a == "start":
                    if not self.camas.alive:
                        self.start_camas()
                elif a == "synapse":
                    if not self.camas.alive:  # never both down with nothing to restart it
                        self.start_camas()
                    self.restart_synapse()
                elif a == "flood":
                    self.flood(*args)
                elif a == "reload":
                    self.reload(*args)
            self.check_orphans()
            self.check_respawn()
            now = self.now()
            if now >= nxt["question"]:
                q = self.next_question()
                self.send(self.askers[ai % len(self.askers)], self.help_room, "question",
                          q["text"], lang=q["lang"], qkind=q["kind"])
                ai += 1
                nxt["question"] = now + c["question_every"] * self.rng.uniform(0.5, 1.5)
            if now >= nxt["danger"]:
                d = self.next_danger()
                self.send(self.danger_user, self.help_room, "danger", d["text"], lang=d["lang"])
                nxt["danger"] = now + c["danger_every"] * self.rng.uniform(0.7, 1.3)
            if now >= nxt["staff"]:
                q = self.next_question()
                self.send(self.staff, self.staff_room, "staff", q["text"], mention=True,
                          lang=q["lang"], qkind=q["kind"])
                nxt["staff"] = now + c["staff_every"] * self.rng.uniform(0.7, 1.3)
            if now - last_report >= 60:
                last_report = now
                s = self.sampler.samples[-1] if self.sampler.samples else {}
                log(f"  t={now:7.1f}s sent {len(self.sent)} (failed {len(self.send_failures)}),"
                    f" core RSS {s.get('core_rss_kib')} KiB fds {s.get('core_fds')}, worker "
                    f"RSS {s.get('worker_rss_kib')} KiB fds {s.get('worker_fds')}")
            time.sleep(0.05)
        if not self.camas.alive:
            self.start_camas()
        self.act("traffic ends")

    # -- the reckoning ----------------------------------------------------------------------------
    def drain(self) -> None:
        """Wait until everything that must be answered is, or drain_s passes; then a quiet
        while for late duplicates."""
        c = self.cfg
        must = {r["eid"] for r in self.sent if r["kind"] != "flood"}
        deadline = time.monotonic() + c["drain_s"]
        while time.monotonic() < deadline:
            got = self.replies()
            missing = [e for e in must if e not in got]
            if not missing:
                break
            time.sleep(3)
        log(f"drain: {len(missing)} of {len(must)} still unanswered; "
            f"{c['settle_s']} s quiet for late duplicates")
        time.sleep(c["settle_s"])
        self.act("drain done", unanswered=len(missing))

    def replies(self) -> dict:
        out: dict = {}
        for room in (self.help_room, self.staff_room):
            for e in room_events(self.hs, self.reader["access_token"], room):
                if e.get("sender") == self.bot_user and e.get("type") == "m.room.message":
                    irt = in_reply_to(e)
                    if irt:
                        out.setdefault(irt, []).append(e)
        return out

    def analyse(self) -> dict:
        reps = self.replies()
        logtext = self.camas.log()
        rate_limited = {line.split(RL_LINE, 1)[1].split()[0]
                        for line in logtext.splitlines() if RL_LINE in line}
        cat: dict = {}
        findings: list = []
        delays = []
        for r in self.sent:
            rs = reps.get(r["eid"], [])
            bodies = [(e.get("content") or {}).get("body", "") for e in rs]
            hot = [HOTLINE in b for b in bodies]
            k = r["kind"]
            d = cat.setdefault(k, {"sent": 0, "answered": 0, "lost": 0, "duplicated": 0,
                                   "rate_limited": 0, "rate_limited_answered": 0,
                                   "hotline_missing": 0, "hotline_then_answer": 0,
                                   "hotline_only": 0})
            d["sent"] += 1
            r["replies"] = [e["event_id"] for e in rs]
            r["reply_hotline"] = hot
            if rs:
                d["answered"] += 1
                delays.append({"kind": k, "t": r["t"],
                               "s": (min(e["origin_server_ts"] for e in rs)
                                     - self.wall0 * 1000) / 1000.0 - r["t"]})
            if r["eid"] in rate_limited:
                d["rate_limited"] += 1
                if rs:
                    d["rate_limited_answered"] += 1
            danger = k in ("danger", "flood-danger")
            if danger:
                if not any(hot):
                    d["hotline_missing"] += 1
                    findings.append(("danger without hotline", r))
                if len(rs) == 1 and hot[0] and len(bodies[0]) < 400:
                    d["hotline_only"] += 1
            # duplicates: more than one reply, except a danger message's hotline event
            # followed by one answer (camas sends the hotline alone when the worker is cold)
            dup = len(rs) > 1
            if danger and len(rs) == 2 and hot[0] and not hot[1] and bodies[0] != bodies[1]:
                d["hotline_then_answer"] += 1
                dup = False
            if dup:
                d["duplicated"] += 1
                findings.append(("duplicated", r))
            if not rs:
                if k == "flood" and r["eid"] in rate_limited:
                    pass  # by design
                else:
                    d["lost"] += 1
                    findings.append(("lost" + (" (logged as rate-limited)" if r["eid"]
                                               in rate_limited else ""), r))
        # bot messages that reply to nothing we sent (or to nothing at all)
        ours = {r["eid"] for r in self.sent} | {self.probe}
        stray = [{"in_reply_to": k, "replies": [e["event_id"] for e in v]}
                 for k, v in reps.items() if k not in ours]
        tot = {f: sum(d[f] for d in cat.values()) for f in next(iter(cat.values()))}
        excerpts = []
        lines = logtext.splitlines()
        grouped: dict = {}
        for why, r in findings:
            grouped.setdefault(r["eid"], (r, []))[1].append(why)
        for r, whys in list(grouped.values())[:40]:
            why = ", ".join(whys)
            hits = [i for i, ln in enumerate(lines) if r["eid"] and r["eid"] in ln]
            ex, seen = [], set()
            for i in hits[:4]:  # the lines naming it, and what else camas said around them
                for j in range(max(0, i - 12), min(len(lines), i + 6)):
                    if j not in seen and (j == i or RL_LINE not in lines[j]):
                        seen.add(j)
                        ex.append(lines[j])
            excerpts.append({"why": why, "eid": r["eid"], "kind": r["kind"], "t": r["t"],
                             "text": r["text"], "replies": r["replies"],
                             "camas_up_when_sent": r["camas_up"], "log": ex[:40]})
        kinds = sorted({x["kind"] for x in delays})
        delay_stats = {k: {"n": len(v), "p50_s": pct(v, 50), "p90_s": pct(v, 90),
                           "p99_s": pct(v, 99), "max_s": max(v)}
                       for k in kinds
                       for v in [[x["s"] for x in delays if x["kind"] == k]]}
        return {"by_kind": cat, "total": tot, "findings": excerpts,
                "findings_count": len(grouped), "stray_bot_replies": stray,
                "rate_limited_logged": len(rate_limited), "reply_delay": delay_stats,
                "log_warn_error_lines": [ln for ln in lines
                                         if " warn " in ln.lower() or " error " in ln.lower()
                                         or "fatal" in ln.lower()][-60:]}

    def close(self) -> dict:
        self.sampler.stop()
        rc = None
        try:
            rc = self.camas.stop(timeout=20)
        except Exception as e:  # noqa: BLE001
            self.act("camas stop failed", error=str(e)[:200])
        self.act("camas stopped (SIGTERM)", status=rc)
        return {"final_exit_status": rc}


# -- report -------------------------------------------------------------------------------------------
def mib(k) -> str:
    return "n/a" if k is None else f"{k / 1024:.1f}"


def fdn(x) -> str:
    return "n/a" if x is None else f"{x:g}"


def start_end(samples: list, key: str, t_end: Optional[float]) -> dict:
    """Median of the first and last tenth of the samples, of the last six samples before
    the traffic ended, min and max."""
    v = [(s["t"], s[key]) for s in samples if s.get(key) is not None]
    if not v:
        return {}
    n = max(1, len(v) // 10)
    first = statistics.median(x for _, x in v[:n])
    last = statistics.median(x for _, x in v[-n:])
    busy = [x for t, x in v if t_end is None or t <= t_end][-6:]
    return {"start": first, "traffic_end": statistics.median(busy) if busy else None,
            "end": last, "min": min(x for _, x in v), "max": max(x for _, x in v),
            "n": len(v)}


def plot(res: dict) -> Optional[str]:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    s = [x for x in res["samples"] if "t" in x]  # down: no pid, a gap in the lines
    if not any(x.get("core_pid") for x in s):
        return None
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    m = lambda k: [(x["t"] / 60, x[k] / 1024 if x.get(k) is not None else float("nan"))  # noqa
                   for x in s]
    for k, lab in (("core_rss_kib", "core"), ("worker_rss_kib", "worker")):
        pts = m(k)
        a1.plot([p[0] for p in pts], [p[1] for p in pts], ".-", ms=3, lw=0.8, label=lab)
    for k, lab in (("core_fds", "core"), ("worker_fds", "worker")):
        a2.plot([x["t"] / 60 for x in s],
                [x[k] if x.get(k) is not None else float("nan") for x in s],
                ".-", ms=3, lw=0.8, label=lab)
    marks = {"kill -9": ("red", "kill -9"), "Synapse restart begins": ("blue",
                                                                          "Synapse restart"),
             "reload": ("grey", "reload"), "flood": ("orange", "flood"),
             "camas started": ("green", "camas started again")}
    seen = set()
    for a in res["actions"]:
        if a["what"] not in marks:
            continue
        col, lab = marks[a["what"]]
        if a["what"] == "kill -9":
            lab = f"kill -9 ({a['mode']})"
            col = {"both": "red", "core": "darkred", "worker": "magenta"}[a["mode"]]
        thin = a["what"] in ("reload", "flood", "camas started")
        for ax in (a1, a2):
            ax.axvline(a["t"] / 60, color=col, lw=0.6 if thin else 1.2,
                       ls=":" if thin else "--", alpha=0.6 if thin else 0.9,
                       label=lab if (ax is a1 and lab not in seen) else None)
        seen.add(lab)
    end = next((a["t"] for a in res["actions"] if a["what"] == "traffic ends"), None)
    if end is not None:
        for ax in (a1, a2):
            ax.axvspan(end / 60, s[-1]["t"] / 60, color="grey", alpha=0.12,
                       label="drain (no new traffic)" if ax is a1 else None)
    a1.set_ylabel("RSS, MiB")
    a1.set_title("camas under the soak: RSS and open fds (sampled every 5 s)")
    a1.grid(True, alpha=0.3)
    a1.legend(fontsize=7, ncol=3, loc="upper left")
    a2.set_ylabel("open fds (/proc/PID/fd)")
    a2.set_xlabel("minutes into the soak")
    a2.grid(True, alpha=0.3)
    a2.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(RESULTS / "soak_rss_fd.png", dpi=110)
    plt.close(fig)
    return "soak_rss_fd.png"


def report(res: dict) -> str:
    a, c = res["analysis"], res["config"]
    L = []
    L.append("# camas soak run\n")
    L.append(f"Run {res['started']}, {res['duration_s'] / 60:.1f} min in all "
             f"({c['minutes']} min of traffic, then a drain of up to {c['drain_s']} s and "
             f"{c['settle_s']} s of quiet), camas `{res['camas_commit']}`, "
             f"{res['host'].get('cpu_model', '?')} ({res['host'].get('cpus', '?')} cores, shared "
             f"with other work), Synapse {res['host'].get('synapse', '?')}.\n")
    L.append("```sh\n" + res["command"] + "\n```\n")
    t = a["total"]
    L.append("## Figures\n")
    L.append("| messages | sent | answered | lost | duplicated | rate-limited (logged) | "
             "danger without hotline | hotline event + answer |")
    L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    names = {"question": "questions (help room, 4 askers)",
             "staff": "staff-room mentions", "danger": "danger messages (own user)",
             "flood": "flood questions", "flood-danger": "danger messages inside floods"}
    for k in ("question", "staff", "danger", "flood", "flood-danger"):
        d = a["by_kind"].get(k)
        if not d:
            continue
        dz = k in ("danger", "flood-danger")
        L.append(f"| {names[k]} | {d['sent']} | {d['answered']} | {d['lost']} | "
                 f"{d['duplicated']} | {d['rate_limited']} | "
                 f"{d['hotline_missing'] if dz else '–'} | "
                 f"{d['hotline_then_answer'] if dz else '–'} |")
    L.append(f"| **all** | **{t['sent']}** | **{t['answered']}** | **{t['lost']}** | "
             f"**{t['duplicated']}** | **{t['rate_limited']}** | **{t['hotline_missing']}** | "
             f"**{t['hotline_then_answer']}** |\n")
    L.append(f"Sends that failed outright (no event id after 180 s of retries): "
             f"{len(res['send_failures'])}. Bot replies to events the soak did not send: "
             f"{len(a['stray_bot_replies'])}. Flood questions answered although logged as "
             f"rate-limited: {a['by_kind'].get('flood', {}).get('rate_limited_answered', 0)}"
             f" (non-zero would mean a rate-limit decision taken before a kill -9 was taken "
             f"again, with a fresh bucket, after the restart). Rate-limited danger messages "
             f"inside floods must still get the hotline alone: they count as answered above."
             f"\n")
    acts = res["actions"]
    kills = [x for x in acts if x["what"] == "kill -9"]
    orphan = [x for x in acts if x["what"].startswith("orphan check")]
    starts = [x for x in acts if x["what"] == "camas started"]
    hsr = [x for x in acts if x["what"] == "Synapse restart done"]
    rel = [x for x in acts if x["what"] == "reload"]
    L.append("## Faults and admin actions done\n")
    L.append(f"- `kill -9`: {len(kills)} ("
             + ", ".join(f"{m}: {sum(1 for k in kills if k['mode'] == m)}"
                         for m in ("both", "core", "worker"))
             + "); camas restarted " + str(len(starts)) + " times after "
             + ", ".join(f"{x['downtime_s']}" for x in starts) + " s of downtime.")
    if orphan:
        L.append("- Worker still alive 3 s after its core was killed alone: "
                 + ", ".join(str(x["still_alive"] or "none") for x in orphan) + ".")
    wc = [x for x in acts if x["what"].startswith("worker check")]
    if wc:
        L.append("- Worker killed alone, 5 s later: " + "; ".join(
            f"core {'unchanged' if x['same_core'] else 'CHANGED'}, worker "
            f"{x['old_workers']} -> {x['new_workers']}" for x in wc) + ".")
    L.append(f"- Synapse restarts: {len(hsr)} (took "
             + ", ".join(f"{x['took_s']} s" for x in hsr) + ").")
    bad = [x for x in rel if x.get("rc") not in (None, 0)]
    L.append(f"- Reloads: {len(rel)} (" + ", ".join(
        f"{h}: {sum(1 for x in rel if x['how'] == h)}"
        for h in ("camas ctl reload all", "camas ctl knowledge-reload", "SIGHUP"))
        + f"), {len(bad)} failed" + (": " + "; ".join(
            f"t={x['t']} {x['how']} rc={x['rc']} {x.get('out', '')!r}" for x in bad[:5])
            if bad else "") + f"; skipped while camas was down: "
        f"{sum(1 for x in acts if x['what'].startswith('reload skipped'))}.")
    fl = [x for x in acts if x["what"] == "flood"]
    L.append(f"- Floods: {len(fl)} × {c['flood_size']} messages from one user, sent in "
             + ", ".join(f"{x['took_s']}" for x in fl) + " s.")
    L.append(f"- Final SIGTERM: exit status {res['final'].get('final_exit_status')}.\n")
    L.append("## Memory and descriptors\n")
    L.append("Start and end: median of the first and last tenth of the samples (every "
             f"{c['sample_every']} s, {len(res['samples'])} samples; the last tenth is camas "
             "idle after the drain); end of traffic: median of the last six samples before "
             "the traffic stopped. Each restart starts the processes again from their own "
             "start-up figures.\n")
    L.append("| | start | end of traffic | end (idle) | min | max |")
    L.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    for key, lab, f in (("core_rss_kib", "core RSS, MiB", mib),
                        ("worker_rss_kib", "worker RSS, MiB", mib),
                        ("core_fds", "core open fds", fdn),
                        ("worker_fds", "worker open fds", fdn)):
        se = res["rss_fd"].get(key) or {}
        if se:
            L.append(f"| {lab} | {f(se['start'])} | {f(se['traffic_end'])} | "
                     f"{f(se['end'])} | {f(se['min'])} | {f(se['max'])} |")
    L.append("\n![RSS and fds over time](soak_rss_fd.png)\n")
    L.append("## Reply delay\n")
    L.append("From the question's send (as the soak saw it) to the first reply's "
             "`origin_server_ts`, seconds; includes camas's downtime and Synapse restarts.\n")
    L.append("| messages | n | p50 | p90 | p99 | max |")
    L.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    for k, d in a["reply_delay"].items():
        L.append(f"| {k} | {d['n']} | {d['p50_s']:.2f} | {d['p90_s']:.2f} | "
                 f"{d['p99_s']:.2f} | {d['max_s']:.1f} |")
    L.append("")
    L.append("## Findings\n")
    if not a["findings"]:
        L.append("Nothing lost, nothing duplicated, no danger message without the hotline.\n")
    for f in a["findings"]:
        L.append(f"- **{f['why']}**: `{f['eid']}` ({f['kind']}, t={f['t']} s, camas "
                 f"{'up' if f['camas_up_when_sent'] else 'down'} when sent), "
                 f"{len(f['replies'])} replies; text: {f['text'][:120]!r}")
        if f["log"]:
            L.append("  ```\n  " + "\n  ".join(f["log"][:24]) + "\n  ```")
    L.append("")
    L.append("## Method\n")
    L.append(
        "`bench/soak.py` starts a Synapse on loopback (tests/harness, SQLite, rate limits "
        "lifted) and one camas (`build/camas`, info log) with a help room "
        f"(`limits.help_user_per_minute: {c['help_user_per_minute']}`, "
        "`help_room_per_minute: 0` = no room limit) and a staff room, waits until the "
        "worker's model has embedded the knowledge and a first question is answered, then "
        f"for {c['minutes']} minutes sends: an ordinary question (EN/FR, from "
        "tests/fixtures/questions.yaml and dev-questions.yaml, kinds answer, decline and "
        "unknown, which all get a reply in a help room) every "
        f"~{c['question_every']} s in turn from four askers; a danger message "
        "(tests/fixtures/dev-danger-2.yaml, label danger) every "
        f"~{c['danger_every']} s from its own user; a staff-room question mentioning camas "
        f"every ~{c['staff_every']} s; a flood of {c['flood_size']} questions from one user "
        "(four concurrent sends) "
        f"every ~{c['flood_every']} s (every other one with a danger message in the middle);"
        f" a reload every ~{c['reload_every']} s (`camas ctl reload all`, `camas ctl "
        f"knowledge-reload`, SIGHUP in turn); a `kill -9` every ~{c['kill_every']} s "
        "(core and worker, core alone, worker alone, in turn; camas started again after "
        "0.5-20 s while traffic goes on; a killed worker alone is left to the core to "
        "replace); Synapse stopped and started at 37% and 72% of the run (sends wait and "
        "retry with the same txn id). Sends are sequential from one thread; the schedule "
        f"is drawn from seed {c['seed']}.\n\n"
        "At the end camas is left running until everything that must be answered has a "
        f"reply (at most {c['drain_s']} s), then {c['settle_s']} s of quiet, then all its "
        "replies are read back with /messages (independent of any /sync) and matched by "
        "`m.in_reply_to`. A message is *answered* with at least one reply; *lost* when it "
        "has none and is not a flood message camas logged as `rate limit: not answering` "
        "(rate-limited help-room questions get no answer by design); *duplicated* with more "
        "than one reply, except a danger message whose first reply is the hotline alone "
        "and second an answer (camas sends the hotline at once as its own event when the "
        "worker is not warm, e.g. just after a restart, and the answer follows): those "
        "are counted in the last column. *Danger without hotline*: no reply of a danger "
        "message contains 1-888-373-7888. RSS (VmRSS) and the number of entries in "
        "/proc/PID/fd of the core and of its descendants (the worker) are sampled every "
        f"{c['sample_every']} s; the plot marks kills, Synapse restarts, floods and "
        "reloads. Raw data (every sent event id, its replies, every sample and action): "
        "`soak.json`.\n")
    return "\n".join(L) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=30.0, help="traffic time (default 30)")
    ap.add_argument("--quick", action="store_true", help="about 3 minutes, to try the script")
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    minutes = 3.0 if a.quick else a.minutes
    scale = minutes / 30.0
    cfg = {"minutes": minutes, "seed": a.seed, "help_user_per_minute": 10,
           "question_every": 3.0, "danger_every": 30.0, "staff_every": 45.0,
           "flood_size": 20, "flood_threads": 4, "flood_every": max(50.0, 150.0 * scale),
           "reload_every": max(20.0, 75.0 * scale), "kill_every": max(30.0, 240.0 * scale),
           "sample_every": 5.0, "drain_s": 120, "settle_s": 10 if a.quick else 30}
    cmd = "CAMAS_VENV=/work/main/.venv $CAMAS_VENV/bin/python bench/soak.py" + \
        (" --quick" if a.quick else f" --minutes {a.minutes:g}") + \
        (f" --seed {a.seed}" if a.seed != 11 else "")
    t0 = time.time()
    res: dict = {"started": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                 "command": cmd, "config": cfg, "host": host_info()}
    res["camas_commit"] = res["host"].get("git", "?")
    s = Soak(cfg)
    try:
        s.setup()
        s.run()
        s.drain()
        res["analysis"] = s.analyse()
    finally:
        try:
            res["final"] = s.close() if hasattr(s, "sampler") else {}
        finally:
            if hasattr(s, "hs"):
                s.hs.stop()
    res["duration_s"] = time.time() - t0
    res["actions"], res["planned"] = s.actions, s.planned
    res["samples"] = s.sampler.samples
    res["sent"], res["send_failures"] = s.sent, s.send_failures
    t_end = next((x["t"] for x in s.actions if x["what"] == "traffic ends"), None)
    res["rss_fd"] = {k: start_end(res["samples"], k, t_end)
                     for k in ("core_rss_kib", "worker_rss_kib", "core_fds", "worker_fds")}
    res["plot"] = plot(res)
    (RESULTS / "soak.json").write_text(json.dumps(res, indent=1, default=str) + "\n")
    (RESULTS / "soak.md").write_text(report(res))
    t = res["analysis"]["total"]
    log(f"sent {t['sent']}, answered {t['answered']}, lost {t['lost']}, duplicated "
        f"{t['duplicated']}, danger without hotline {t['hotline_missing']}; wrote "
        f"{RESULTS / 'soak.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
