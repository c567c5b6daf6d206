"""Run build/camas as a subprocess with a generated config and its own state dir."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Optional, Sequence

import yaml

from .util import TimeoutExpired, wait_for

REPO_ROOT = Path(__file__).resolve().parents[2]


def camas_binary() -> Path:
    """$CAMAS_BIN, else <repo>/build/camas."""
    return Path(os.environ.get("CAMAS_BIN") or REPO_ROOT / "build" / "camas").resolve()


@contextlib.contextmanager
def locked(directory: os.PathLike):
    """An exclusive flock on a directory, held for the with block: what two test processes
    (pytest-xdist workers) share, used by one at a time."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # and the lock with it


def meson_install(destdir: os.PathLike, timeout: float = 300.0) -> subprocess.CompletedProcess:
    """`meson install --destdir DESTDIR` of camas_binary()'s build directory, one at a time:
    it runs ninja there first and reads meson-private/, so it holds the build directory's
    flock meanwhile, the one scripts/demo holds while it reconfigures and builds (two test
    modules install, and test_demo runs scripts/demo: under pytest-xdist they may run at
    the same time)."""
    build = camas_binary().parent
    with locked(build):
        return subprocess.run(["meson", "install", "-C", str(build), "--destdir", str(destdir),
                               "--quiet"], capture_output=True, text=True, timeout=timeout)


def warm_default_state(cwd: os.PathLike = REPO_ROOT, timeout: float = 600.0) -> None:
    """Fills the vector cache of CWD/camas-state, the state a `camas ask` run from CWD without
    --state uses (ask_json, ask_batch, and run_cli from the repository): the first such ask
    embeds the whole knowledge, longer than those calls allow (30 s). In a serial run the
    first module, test_accuracy, happened to do it with a long timeout; under pytest-xdist a
    worker's first module may be any, so each worker calls this first. One at a time (the
    directory's flock): the second finds the work done. A state without a cache (a fresh
    clone) starts from a copy of the session's warm cache, so it is embedded once."""
    if not camas_binary().exists():
        return  # nothing to warm; the tests say what is missing
    state = Path(cwd) / "camas-state"
    state.mkdir(mode=0o700, exist_ok=True)
    with locked(state):
        cache = state / "embeddings.cache"
        warm = warm_embeddings_cache() if not cache.exists() else None
        if warm:
            shutil.copyfile(warm, cache)
            cache.chmod(0o600)  # as camas makes it
        subprocess.run([str(camas_binary()), "ask", "warm up"], cwd=cwd, capture_output=True,
                       stdin=subprocess.DEVNULL, timeout=timeout)


_warm_cache: Optional[Path] = None


def warm_embeddings_cache() -> Optional[Path]:
    """A vectors cache made once per test session (one `camas ask` embeds the knowledge):
    each test bot starts with a copy, as a bot that ran before would, instead of spending
    seconds of CPU embedding the knowledge again. Tests of a cold start remove it. The
    workers of one pytest-xdist run share it (PYTEST_XDIST_TESTRUNUID): the first makes it,
    under the directory's flock, and the others wait for it."""
    global _warm_cache
    if _warm_cache is None:
        run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")
        given = os.environ.get("CAMAS_TEST_WARM_DIR", "")  # scripts/test's, removed after
        if given and Path(given).is_dir():
            state = Path(given)
        elif re.fullmatch(r"[\w.-]+", run):
            state = Path(tempfile.gettempdir()) / f"camas-warm-{run}"
            state.mkdir(mode=0o700, exist_ok=True)
        else:
            state = Path(tempfile.mkdtemp(prefix="camas-warm-"))
        cache = state / "embeddings.cache"
        with locked(state):
            if not cache.exists():
                subprocess.run([str(camas_binary()), "--state", str(state), "ask", "warm up"],
                               cwd=REPO_ROOT, capture_output=True, timeout=600)
        _warm_cache = cache if cache.exists() else Path("/nonexistent")
    return _warm_cache if _warm_cache.exists() else None


def seed_vector_cache(state_dir: os.PathLike) -> None:
    """A fresh state directory (a `camas ask` run in a temporary directory) starts from the
    session's warm vector cache, as a bot that ran before would: embedding the whole
    knowledge again takes 25-30 s of a 60 s timeout on a loaded machine."""
    state = Path(state_dir)
    warm = warm_embeddings_cache()
    if warm and not (state / "embeddings.cache").exists():
        state.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(warm, state / "embeddings.cache")
        (state / "embeddings.cache").chmod(0o600)  # as camas makes it


def merge(base: dict, over: dict) -> dict:
    """Recursive dict merge (over wins); lists are replaced, not merged."""
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out


class Camas:
    """One camas daemon. Its stderr goes to `log_path` (appended across restarts)."""

    def __init__(self, workdir: os.PathLike, config: dict,
                 binary: Optional[os.PathLike] = None, log_level: str = "debug"):
        self.dir = Path(workdir).resolve()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.binary = Path(binary) if binary else camas_binary()
        self.config_path = self.dir / "camas.yaml"
        self.state_dir = Path(config.get("state_dir") or self.dir / "state").resolve()
        self.log_path = self.dir / "camas.log"
        self.log_level = log_level
        self.config = merge({"state_dir": str(self.state_dir)}, config)
        self.proc: Optional[subprocess.Popen] = None
        self.env: Optional[dict] = None  # extra environment variables for the process
        self._log_offset = 0
        self.starts = 0
        self.warm_start = True  # seed the state dir with the session's vector cache
        self.write_config()

    def write_config(self) -> None:
        self.config_path.write_text(
            "# generated by tests/harness/camas.py\n"
            + yaml.safe_dump(self.config, sort_keys=False, default_flow_style=False))

    def update_config(self, **over) -> None:
        self.config = merge(self.config, over)
        self.write_config()

    # -- lifecycle ---------------------------------------------------------------------
    def command(self) -> list:
        return [str(self.binary), "run", "--config", str(self.config_path),
                "--state", str(self.state_dir), "--log-level", self.log_level]

    def start(self) -> "Camas":
        if self.alive:
            raise RuntimeError("camas is already running")
        if not self.binary.exists():
            raise FileNotFoundError(f"camas binary not found at {self.binary} "
                                    "(build it: meson setup build && ninja -C build)")
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        cache = self.state_dir / "embeddings.cache"
        # (only when the state has no cache yet: the warm-up costs a cold embedding)
        warm = warm_embeddings_cache() if self.warm_start and not cache.exists() else None
        if warm:
            self.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            shutil.copyfile(warm, cache)
        log = open(self.log_path, "ab")
        env = dict(os.environ, **self.env) if self.env else None
        self.proc = subprocess.Popen(self.command(), cwd=self.dir, stdin=subprocess.DEVNULL,
                                     stdout=log, stderr=log, start_new_session=True, env=env)
        log.close()
        self.starts += 1
        return self

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def returncode(self) -> Optional[int]:
        return None if self.proc is None else self.proc.poll()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_since_start(self) -> str:
        if not self.log_path.exists():
            return ""
        with open(self.log_path, "rb") as f:
            f.seek(self._log_offset)
            return f.read().decode(errors="replace")

    def tail(self, n: int = 60) -> str:
        return "\n".join(self.log().splitlines()[-n:])

    def wait_ready(self, timeout: float = 30.0) -> str:
        """Wait for the `ready:` line of the current run; returns that line."""
        def ready():
            for line in self.log_since_start().splitlines():
                if "ready:" in line:
                    return line
            if not self.alive:
                raise AssertionError(
                    f"camas exited with status {self.returncode} before it was ready:\n"
                    + self.tail())
            return None
        try:
            return wait_for(ready, timeout=timeout, interval=0.1, what="camas 'ready:'")
        except TimeoutExpired as e:
            raise TimeoutExpired(f"{e}\n--- camas log ---\n{self.tail()}") from None

    def wait_understanding(self, timeout: float = 120.0) -> str:
        """Wait until the worker's model has embedded the knowledge (semantic answers)."""
        return self.wait_log(r"questions are understood semantically", timeout=timeout)

    def wait_log(self, pattern: str, timeout: float = 20.0, since_start: bool = True) -> str:
        rx = re.compile(pattern)
        def found():
            text = self.log_since_start() if since_start else self.log()
            m = rx.search(text)
            return m.group(0) if m else None
        try:
            return wait_for(found, timeout=timeout, interval=0.1, what=f"log /{pattern}/")
        except TimeoutExpired as e:
            raise TimeoutExpired(f"{e}\n--- camas log ---\n{self.tail()}") from None

    def wait_exit(self, timeout: float = 20.0) -> int:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TimeoutExpired(f"camas did not exit within {timeout}s\n{self.tail()}") from None

    def stop(self, timeout: float = 15.0) -> Optional[int]:
        """Graceful stop (SIGTERM). Returns the exit status; kills it if it hangs."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise TimeoutExpired(f"camas ignored SIGTERM for {timeout}s\n{self.tail()}")
        return self.proc.returncode

    def kill(self) -> None:
        """kill -9."""
        if self.alive:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def restart(self, timeout: float = 30.0) -> str:
        self.stop()
        self.start()
        return self.wait_ready(timeout)


def run_cli(args: Sequence[str], timeout: float = 15.0, binary: Optional[os.PathLike] = None,
            cwd: Optional[os.PathLike] = None) -> subprocess.CompletedProcess:
    """Run camas with arguments and capture stdout/stderr as text."""
    exe = str(binary or camas_binary())
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, cwd=cwd)


def ask_json(question: str, *options: str, knowledge: Optional[os.PathLike] = None,
             timeout: float = 30.0, binary: Optional[os.PathLike] = None) -> dict:
    """`camas [--knowledge DIR] ask --json [OPTIONS] QUESTION` from the repository root
    (so the build's signed plugins and ./knowledge are the defaults); the parsed JSON.
    OPTIONS are ask's own: --lang, --room-kind, --now."""
    import json
    pre = ["--knowledge", str(knowledge)] if knowledge else []
    r = run_cli([*pre, "ask", "--json", *options, question], timeout=timeout, binary=binary,
                cwd=REPO_ROOT)
    if r.returncode not in (0, 1) or not r.stdout.strip():
        raise AssertionError(f"camas ask {question!r}: status {r.returncode}\n"
                             f"{r.stderr[-2000:]}")
    return json.loads(r.stdout)


def ask_batch(questions: Sequence[str], *options: str,
              knowledge: Optional[os.PathLike] = None, timeout: float = 300.0,
              binary: Optional[os.PathLike] = None) -> list:
    """`camas ask --batch -`: one JSON answer per question, in order."""
    import json
    assert all("\n" not in q and q.strip() for q in questions)
    pre = ["--knowledge", str(knowledge)] if knowledge else []
    exe = str(binary or camas_binary())
    r = subprocess.run([exe, *pre, "ask", "--batch", "-", *options],
                       input="\n".join(questions) + "\n", capture_output=True, text=True,
                       timeout=timeout, cwd=REPO_ROOT)
    answers = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    if len(answers) != len(questions):
        raise AssertionError(f"camas ask --batch: {len(answers)} answers for "
                             f"{len(questions)} questions (status {r.returncode})\n"
                             f"{r.stderr[-2000:]}")
    return answers
