"""Metrics and health (metrics.listen), scraped by a real Prometheus, and `camas status`.

Prometheus is Debian's /usr/bin/prometheus (scripts/setup installs it), run with its own
config scraping camas every second, its own TSDB under tmp and its own loopback port; the
test asks its HTTP API until a camas counter has moved.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from harness.camas import run_cli
from harness.util import LOOPBACK, free_port, wait_for

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"


def get(url: str, timeout: float = 5.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (urllib.error.URLError, OSError):
        return 0, ""  # not listening (yet)


def sample(text: str, name: str) -> float | None:
    """The value of the sample line `name VALUE` in an exposition."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return None


def worker_pid(camas_pid: int) -> int | None:
    try:
        kids = Path(f"/proc/{camas_pid}/task/{camas_pid}/children").read_text().split()
    except OSError:
        return None
    for k in kids:
        try:
            if Path(f"/proc/{k}/comm").read_text().strip().startswith("camas-worker"):
                return int(k)
        except OSError:
            pass
    return None


@pytest.fixture
def prometheus(tmp_path):
    """Factory: prometheus(target) starts a Prometheus scraping target every second."""
    if not os.access(PROMETHEUS, os.X_OK):
        pytest.fail("prometheus is not installed (scripts/setup installs Debian's package)")
    procs = []

    def start(target: str) -> str:
        port = free_port()
        cfg = tmp_path / "prometheus.yml"
        cfg.write_text(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            "scrape_configs:\n"
            "  - job_name: camas\n    scrape_interval: 1s\n    scrape_timeout: 900ms\n"
            f"    static_configs:\n      - targets: ['{target}']\n")
        log = open(tmp_path / "prometheus.log", "w")
        p = subprocess.Popen(
            [PROMETHEUS, f"--config.file={cfg}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address={LOOPBACK}:{port}"],
            stdout=log, stderr=subprocess.STDOUT)
        procs.append((p, log))
        url = f"http://{LOOPBACK}:{port}"
        wait_for(lambda: p.poll() is None and get(url + "/-/ready")[0] == 200, timeout=60,
                 what="prometheus ready")
        return url

    yield start
    for p, log in procs:
        p.terminate()
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        log.close()


def prom_value(url: str, query: str) -> float | None:
    status, body = get(url + "/api/v1/query?" + urllib.parse.urlencode({"query": query}))
    if status != 200:
        return None
    result = json.loads(body)["data"]["result"]
    return float(result[0]["value"][1]) if result else None


def test_metrics_scraped_by_prometheus_and_health(make_bot, alice, synapse, prometheus,
                                                  tmp_path):
    room = alice.create_room(name="help")
    port = free_port()
    bot = make_bot(rooms=[{"id": room, "kind": "help"}],
                   metrics={"listen": f"{LOOPBACK}:{port}"}).start()
    base = f"http://{LOOPBACK}:{port}"

    # The exposition, straight.
    status, text = get(base + "/metrics")
    assert status == 200, text
    assert "# TYPE camas_questions_total counter" in text
    assert "# TYPE camas_answer_latency_seconds histogram" in text
    assert get(base + "/nothing-here")[0] == 404
    wait_for(lambda: get(base + "/health") == (200, "ok\n"), timeout=60, what="/health 200")

    prom = prometheus(f"{LOOPBACK}:{port}")
    wait_for(lambda: prom_value(prom, 'up{job="camas"}') == 1, timeout=30,
             what="prometheus scraping camas")
    before = prom_value(prom, "camas_questions_total") or 0.0

    q = alice.send(room, "who chairs the task force?")
    reply = alice.wait_reply(room, bot.user_id, q)
    assert "Richard Torrance" in reply["content"]["body"]

    # Prometheus saw the counter move, and the answer by plugin with it.
    wait_for(lambda: (prom_value(prom, "camas_questions_total") or 0) > before, timeout=30,
             what="camas_questions_total moving in prometheus")
    wait_for(lambda: (prom_value(prom, 'sum(camas_answers_total{plugin!="none"})') or 0) >= 1,
             timeout=30, what="camas_answers_total{plugin=...} from a plugin")
    wait_for(lambda: (prom_value(prom, "camas_answer_latency_seconds_count") or 0) >= 1,
             timeout=30, what="an answer latency observed")
    text = get(base + "/metrics")[1]
    assert sample(text, "camas_worker_time_seconds_count") >= 1
    assert sample(text, 'camas_answer_latency_seconds_bucket{le="+Inf"}') == \
        sample(text, "camas_answer_latency_seconds_count")
    assert sample(text, "camas_outbox_depth") == 0

    # The worker killed: 503 with the reason until camas has restarted it.
    restarts = sample(text, "camas_worker_restarts_total")
    pid = worker_pid(bot.camas.proc.pid)
    assert pid, "no camas-worker child"
    os.kill(pid, signal.SIGKILL)
    status, body = wait_for(lambda: (lambda r: r if r[0] == 503 else None)(get(base + "/health")),
                            timeout=10, interval=0.02, what="/health 503 after the worker died")
    assert "worker" in body, body
    wait_for(lambda: get(base + "/health") == (200, "ok\n"), timeout=60,
             what="/health 200 once the worker is back")
    assert sample(get(base + "/metrics")[1], "camas_worker_restarts_total") == restarts + 1

    # The homeserver stopped: 503 naming /sync; back to 200 once it answers again.
    synapse.stop()
    try:
        status, body = wait_for(
            lambda: (lambda r: r if r[0] == 503 else None)(get(base + "/health")),
            timeout=30, what="/health 503 with synapse stopped")
        assert "sync" in body, body
    finally:
        synapse.start()
    wait_for(lambda: get(base + "/health") == (200, "ok\n"), timeout=60,
             what="/health 200 with synapse back")
    text = get(base + "/metrics")[1]
    assert sample(text, "camas_sync_errors_total") >= 1
    assert sample(text, "camas_transport_reconnects_total") >= 1
    wait_for(lambda: (prom_value(prom, "camas_sync_errors_total") or 0) >= 1, timeout=30,
             what="camas_sync_errors_total in prometheus")


def test_status_over_control_socket(make_bot, alice):
    room = alice.create_room(name="help")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    state = str(bot.camas.state_dir)
    q = alice.send(room, "who chairs the task force?")
    alice.wait_reply(room, bot.user_id, q)

    def status_ready():
        out = run_cli(["--state", state, "status"])
        return out if out.returncode == 0 and "worker: running" in out.stdout else None

    out = wait_for(status_ready, timeout=60, what="camas status")
    text = out.stdout
    assert text.startswith("ok camas "), text
    assert "transport: sync, connected" in text, text
    assert "last sync: " in text and " s ago" in text, text
    assert "rooms: 1 (help 1, staff 0, direct 0)" in text, text
    assert "outbox: 0 waiting" in text, text
    assert "plugins: " in text and "faq 1.0.0" in text, text
    assert "knowledge: " in text and "(load 1," in text, text
    # the same through ctl
    out = run_cli(["--state", state, "ctl", "status"])
    assert out.returncode == 0 and "transport: sync" in out.stdout, out.stdout

    bot.camas.stop()
    out = run_cli(["--state", state, "status"])
    assert out.returncode == 1 and "cannot reach camas" in out.stderr
