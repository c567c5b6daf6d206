"""`meson install` lays camas out as a Linux distribution expects (bin, libexec/camas,
lib/camas/plugins, share/camas/knowledge, man pages, the systemd unit), and the installed
camas finds its worker, plugins, knowledge and model by itself: `camas check` passes and
`camas ask` answers from a directory with nothing of camas in it. The unit passes
`systemd-analyze verify` and its exposure score stays low."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from harness.camas import camas_binary, meson_install


@pytest.fixture(scope="module")
def stage(tmp_path_factory):
    root = tmp_path_factory.mktemp("install")
    r = meson_install(root)
    assert r.returncode == 0, r.stdout + r.stderr
    return root


def one(stage, pattern):
    found = [p for p in stage.rglob(pattern)]
    assert len(found) == 1, (pattern, found)
    return found[0]


def test_layout(stage):
    camas = one(stage, "bin/camas")
    worker = one(stage, "libexec/camas/camas-worker")
    assert camas.parent.parent == worker.parent.parent.parent  # the same prefix
    plugins = one(stage, "camas/plugins")
    for name in ("faq", "meetings", "contacts", "members"):
        for f in (f"{name}.so", "manifest.json", "manifest.json.minisig"):
            assert (plugins / name / f).is_file(), (name, f)
    assert (plugins / "dev.pub").is_file() and not list(stage.rglob("dev.key"))  # no secret
    assert (one(stage, "share/camas/knowledge") / "bodies.yaml").is_file()
    assert one(stage, "share/camas/camas.example.yaml").is_file()
    assert "SEE ALSO" in one(stage, "man1/camas.1").read_text()
    assert "state_dir" in one(stage, "man5/camas.yaml.5").read_text().replace("\\&", "")


def test_installed_camas_finds_everything_by_itself(stage, tmp_path):
    camas = one(stage, "bin/camas")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    r = subprocess.run([str(camas), "--state", str(tmp_path / "state"), "check"], cwd=elsewhere,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "0 problems" in r.stdout, r.stdout + r.stderr
    assert str(stage) in r.stdout  # the installed plugins and model, not the build tree's
    r = subprocess.run([str(camas), "--state", str(tmp_path / "state"), "ask",
                        "who chairs the task force?"], cwd=elsewhere, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0 and "Richard Torrance" in r.stdout, r.stdout + r.stderr


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_unit_verifies_and_is_hardened(stage, tmp_path):
    unit = one(stage, "systemd/system/camas.service")
    text = unit.read_text()
    assert "Type=notify" in text and "WatchdogSec=" in text and "StateDirectory=camas" in text
    # verify resolves ExecStart=: point it at the staged binary
    camas = one(stage, "bin/camas")
    local = tmp_path / "camas.service"
    local.write_text(re.sub(r"ExecStart=\S+", f"ExecStart={camas}", text))
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", str(local)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    r = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(local)],
                       capture_output=True, text=True, timeout=60)
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", r.stdout + r.stderr)
    assert m, r.stdout + r.stderr
    assert float(m.group(1)) <= 2.0, r.stdout[-3000:]


def test_camas_works_under_memory_deny_write_execute(tmp_path):
    """The unit sets MemoryDenyWriteExecute=yes: the same seccomp rules, applied here by a
    small launcher (tests/harness/mdwe.c), must refuse a writable+executable mapping and
    still let camas's worker load the signed plugins from their sealed memfds and answer."""
    launcher = tmp_path / "mdwe"
    src = camas_binary().parent.parent / "tests" / "harness" / "mdwe.c"
    r = subprocess.run(["cc", "-o", str(launcher), str(src), "-lseccomp"], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(launcher), shutil.which("python3"), "-c",
                        "import mmap; mmap.mmap(-1, 4096, prot=7)"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode != 0 and "Operation not permitted" in r.stderr, r.stderr  # in force
    r = subprocess.run([str(launcher), str(camas_binary()), "--state", str(tmp_path / "s"),
                        "ask", "quand se réunit le comité CSEC ?"],
                       cwd=camas_binary().parent.parent, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0 and "Kyle Bois" in r.stdout, r.stdout + r.stderr
