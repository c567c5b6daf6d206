#!/usr/bin/env python3
"""Idle memory of camas, mapping by mapping, measured the way bench/bench.py measures it.

Starts a Synapse on loopback (tests/harness), then for each camas binary given (default
build/camas) a help room and a bot account, and RUNS times, interleaved: stop camas, send a
question, start camas, wait for its answer, wait --settle seconds (1.5, as bench.py) and
read /proc/PID/smaps of the core and of the worker. Prints the median RSS and PSS of core,
worker and their sum per binary, and with --detail a per-mapping breakdown (Rss, Pss,
Private_Dirty, Private_Clean, Shared_Clean per library, heap, stacks, anonymous mappings)
of the last run. Not part of CI.

    CAMAS_VENV=/path/to/venv $CAMAS_VENV/bin/python bench/memprofile.py --detail
    ... bench/memprofile.py --runs 5 build-a/camas build-b/camas
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO / "tests"))

from harness import Camas, Synapse, http_json  # noqa: E402

FIELDS = ("Rss", "Pss", "Private_Dirty", "Private_Clean", "Shared_Clean", "Shared_Dirty")


def children(pid: int) -> list:
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
            out.append(int(d.name))
    return out


def smaps(pid: int) -> list:
    """[(name, start-end, perms, {field: KiB})] for every mapping of pid."""
    maps, cur = [], None
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        parts = line.split()
        if parts and "-" in parts[0] and ":" not in parts[0]:
            name = parts[5] if len(parts) > 5 else ""
            cur = (name, parts[0], parts[1], {})
            maps.append(cur)
        elif cur and parts and parts[0].rstrip(":") in FIELDS:
            cur[3][parts[0].rstrip(":")] = int(parts[1])
    return maps


def group(maps: list) -> dict:
    """Sum per library (basename), [heap], [stack], anonymous (by size class) etc."""
    g: dict = {}
    for name, rng, perms, f in maps:
        if not name:
            lo, hi = (int(x, 16) for x in rng.split("-"))
            size = (hi - lo) // 1024
            key = f"anon {perms} {size} KiB" if f.get("Rss", 0) else "anon (not resident)"
        elif name.startswith("/memfd:"):
            key = name.split(" ")[0]
        elif name.startswith("/"):
            key = os.path.basename(name)
        else:
            key = name
        d = g.setdefault(key, dict.fromkeys(FIELDS, 0))
        for k in FIELDS:
            d[k] += f.get(k, 0)
    return g


def print_detail(label: str, maps: list) -> None:
    g = group(maps)
    tot = {k: sum(v[k] for v in g.values()) for k in FIELDS}
    print(f"\n{label}: Rss {tot['Rss']} KiB, Pss {tot['Pss']} KiB")
    print(f"  {'mapping':44s} {'Rss':>6s} {'Pss':>6s} {'PrivD':>6s} {'PrivC':>6s} {'ShrC':>6s}")
    for k, v in sorted(g.items(), key=lambda kv: -kv[1]["Rss"]):
        if v["Rss"] == 0:
            continue
        print(f"  {k[:44]:44s} {v['Rss']:6d} {v['Pss']:6d} {v['Private_Dirty']:6d} "
              f"{v['Private_Clean']:6d} {v['Shared_Clean']:6d}")


def wait_reply(hs_url: str, token: str, room: str, eid: str, timeout: float = 60) -> bool:
    end = time.time() + timeout
    q = urllib.parse.quote(room)
    while time.time() < end:
        r = http_json("GET", f"{hs_url}/_matrix/client/v3/rooms/{q}/messages?dir=b&limit=20",
                      token=token)
        for ev in r.get("chunk", []):
            rel = (ev.get("content") or {}).get("m.relates_to") or {}
            if (rel.get("m.in_reply_to") or {}).get("event_id") == eid:
                return True
        time.sleep(0.1)
    return False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binaries", nargs="*", default=[str(REPO / "build" / "camas")])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--settle", type=float, default=1.5)
    ap.add_argument("--detail", action="store_true", help="per-mapping breakdown (last run)")
    ap.add_argument("--json", help="write raw figures here")
    ap.add_argument("--chatter", default="",
                    help="ROOMS,MSGS,KIB: the bot also sits in ROOMS staff rooms, and before each "
                         "measured start MSGS messages of KIB KiB are posted in each (not "
                         "addressed to it), so its catch-up /sync is large")
    ap.add_argument("--knowledge", help="knowledge directory (default: the shipped one)")
    ap.add_argument("--hold", type=float, default=0,
                    help="keep the last camas running this many seconds (to attach tools)")
    ap.add_argument("--work", default=str(BENCH / "results" / "tmp" / "memprofile"))
    a = ap.parse_args()

    work = Path(a.work)
    if work.exists():
        import shutil
        shutil.rmtree(work)
    work.mkdir(parents=True)
    hs = Synapse(work / "synapse")
    hs.start()
    res: dict = {}
    try:
        asker = hs.register("asker", "pw-" + secrets.token_hex(8))
        atok = asker["access_token"]
        chatter_rooms, msgs, kib = [], 0, 0
        if a.chatter:
            nrooms, msgs, kib = (int(x) for x in a.chatter.split(","))
            for r in range(nrooms):
                chatter_rooms.append(http_json(
                    "POST", f"{hs.url}/_matrix/client/v3/createRoom",
                    {"preset": "public_chat", "name": f"staff{r}"}, token=atok)["room_id"])
        # One help room per binary, as bench.py has one per bot: each start then finds
        # exactly one waiting question, its own.
        bots, rooms = {}, {}
        for i, b in enumerate(a.binaries):
            room = rooms[b] = http_json("POST", f"{hs.url}/_matrix/client/v3/createRoom",
                                        {"preset": "public_chat", "name": f"help{i}"},
                                        token=atok)["room_id"]
            pw = "pw-" + secrets.token_hex(8)
            login = hs.register(f"bot{i}", pw)
            bots[b] = Camas(work / f"bot{i}", {
                "homeserver": {"url": hs.url},
                "auth": {"user_id": login["user_id"], "password": pw},
                "rooms": [{"id": room, "kind": "help"}]
                + [{"id": r, "kind": "staff"} for r in chatter_rooms],
                "invites": {"allow": []},
                "limits": {"help_user_per_minute": 0, "help_room_per_minute": 0},
                "sync": {"timeout_ms": 30000},
                "log_level": "info",
                **({"knowledge_dir": str(Path(a.knowledge).resolve())} if a.knowledge else {}),
            }, binary=Path(b).resolve(), log_level="info")
            # First start joins the room and catches up; not measured.
            bots[b].start()
            bots[b].wait_ready(60)
            bots[b].stop()
            res[b] = []
        for run in range(a.runs):
            for b, c in bots.items():
                room = rooms[b]
                for r in chatter_rooms:
                    for _ in range(msgs):
                        http_json("PUT", f"{hs.url}/_matrix/client/v3/rooms/"
                                  f"{urllib.parse.quote(r)}/send/m.room.message/"
                                  f"{secrets.token_hex(8)}",
                                  {"msgtype": "m.text",
                                   "body": ("chatter " + secrets.token_hex(512) * (kib + 1))[:kib * 1024]},
                                  token=atok)
                eid = http_json("PUT", f"{hs.url}/_matrix/client/v3/rooms/"
                                f"{urllib.parse.quote(room)}/send/m.room.message/"
                                f"{secrets.token_hex(8)}",
                                {"msgtype": "m.text", "body": "who chairs the task force?"},
                                token=atok)["event_id"]
                time.sleep(0.3)
                c.start()
                if not wait_reply(hs.url, atok, room, eid):
                    print(f"{b}: no answer\n{c.tail()}", file=sys.stderr)
                    return 1
                time.sleep(a.settle)
                core = c.proc.pid
                kids = children(core)
                cm = smaps(core)
                wm = [m for k in kids for m in smaps(k)]
                r = {"core_rss": sum(m[3].get("Rss", 0) for m in cm),
                     "core_pss": sum(m[3].get("Pss", 0) for m in cm),
                     "worker_rss": sum(m[3].get("Rss", 0) for m in wm),
                     "worker_pss": sum(m[3].get("Pss", 0) for m in wm),
                     "workers": len(kids)}
                res[b].append(r)
                if a.detail and run == a.runs - 1:
                    print_detail(f"{b} core (pid {core})", cm)
                    for k in kids:
                        print_detail(f"{b} worker (pid {k})", smaps(k))
                if a.hold and run == a.runs - 1:
                    print(f"holding {b}: core {core}, worker {kids}", flush=True)
                    time.sleep(a.hold)
                c.stop()
        print(f"\nmedian of {a.runs} runs, KiB (settle {a.settle} s after the answer)")
        print(f"{'binary':40s} {'coreRSS':>8s} {'wrkRSS':>8s} {'sumRSS':>8s} "
              f"{'corePSS':>8s} {'wrkPSS':>8s} {'sumPSS':>8s}")
        for b, rows in res.items():
            med = {k: statistics.median(r[k] for r in rows)
                   for k in ("core_rss", "worker_rss", "core_pss", "worker_pss")}
            srss = statistics.median(r["core_rss"] + r["worker_rss"] for r in rows)
            spss = statistics.median(r["core_pss"] + r["worker_pss"] for r in rows)
            print(f"{b[-40:]:40s} {med['core_rss']:8.0f} {med['worker_rss']:8.0f} {srss:8.0f} "
                  f"{med['core_pss']:8.0f} {med['worker_pss']:8.0f} {spss:8.0f}")
        if a.json:
            Path(a.json).write_text(json.dumps(res, indent=1))
    finally:
        for c in locals().get("bots", {}).values():
            try:
                c.stop()
            except Exception:  # noqa: BLE001
                c.kill()
        hs.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
