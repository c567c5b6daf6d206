"""The plugin author's kit: `camas plugin sign` (checked with the real minisign),
--trusted-key on `camas ask` and `camas check`, and the example plugin (examples/hello).

No homeserver: everything here is the command line."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import REPO_ROOT, camas_binary, run_cli
from harness.camas import meson_install, seed_vector_cache
from harness.plugins import PluginLab, keygen, minisign_keygen, plugin_libs_dir, sha256_file

MINISIGN = shutil.which("minisign")
assert MINISIGN is not None, "the minisign CLI is not installed (run scripts/setup)"
ECHO_EN = "test echo question"


@pytest.fixture(autouse=True)
def _synapse_running():
    """Overrides conftest's fixture: these tests need no homeserver."""
    yield


def camas(*args, cwd=None, timeout=60.0) -> subprocess.CompletedProcess:
    if cwd is not None:
        seed_vector_cache(Path(cwd) / "camas-state")  # the state `camas ask` uses there
    return run_cli([str(a) for a in args], timeout=timeout, cwd=cwd)


def echo_folder(root: Path) -> Path:
    """plugins/echo with the test echo library and its manifest template, unsigned."""
    folder = root / "plugins" / "echo"
    folder.mkdir(parents=True)
    shutil.copyfile(plugin_libs_dir() / "echo_v1.so", folder / "echo.so")
    shutil.copyfile(REPO_ROOT / "tests" / "plugins" / "echo.manifest.json.in",
                    folder / "manifest.json.in")
    return folder


@pytest.mark.parametrize("maker", ["camas", "minisign"])
def test_plugin_sign_fills_and_signs_for_minisign(tmp_path, maker):
    (keygen if maker == "camas" else minisign_keygen)(tmp_path / "k.key", tmp_path / "k.pub")
    folder = echo_folder(tmp_path)
    r = camas("plugin", "sign", "--key", tmp_path / "k.key", "--version", "1.2.3", folder)
    assert r.returncode == 0, r.stderr
    assert "echo 1.2.3 signed" in r.stdout
    m = json.loads((folder / "manifest.json").read_text())
    digest = sha256_file(folder / "echo.so")
    assert (m["name"], m["version"], m["sha256"]) == ("echo", "1.2.3", digest)
    v = subprocess.run([MINISIGN, "-V", "-p", tmp_path / "k.pub", "-m", folder / "manifest.json"],
                       capture_output=True, text=True, timeout=30)
    assert v.returncode == 0, v.stdout + v.stderr
    assert f"Trusted comment: camas plugin echo 1.2.3 sha256:{digest}" in v.stdout

    # After a rebuild, the same command on the filled manifest re-signs the new library.
    with open(folder / "echo.so", "ab") as f:
        f.write(b"\0")
    (folder / "manifest.json.in").unlink()
    r = camas("plugin", "sign", "-q", "--key", tmp_path / "k.key", folder / "manifest.json")
    assert r.returncode == 0 and r.stdout == "", r.stdout + r.stderr
    m = json.loads((folder / "manifest.json").read_text())
    assert (m["version"], m["sha256"]) == ("1.2.3", sha256_file(folder / "echo.so"))
    v = subprocess.run([MINISIGN, "-Vq", "-p", tmp_path / "k.pub", "-m", folder / "manifest.json"],
                       capture_output=True, text=True, timeout=30)
    assert v.returncode == 0, v.stdout + v.stderr

    # And camas loads what it signed.
    r = camas("ask", "--plugins", folder.parent, "--trusted-key", tmp_path / "k.pub",
              "--knowledge", REPO_ROOT / "knowledge", "--json", ECHO_EN, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads(r.stdout)["plugin"] == "echo"


def test_plugin_sign_refuses_what_camas_would_refuse(tmp_path):
    keygen(tmp_path / "k.key", tmp_path / "k.pub")
    folder = echo_folder(tmp_path)
    r = camas("plugin", "sign", "--key", tmp_path / "k.key", folder)
    assert r.returncode == 1 and "give --version" in r.stderr, r.stderr
    r = camas("plugin", "sign", "--key", tmp_path / "k.key", "--version", "one", folder)
    assert r.returncode == 1 and "version: expected MAJOR.MINOR.PATCH" in r.stderr, r.stderr
    (folder / "echo.so").unlink()
    r = camas("plugin", "sign", "--key", tmp_path / "k.key", "--version", "1.0.0", folder)
    assert r.returncode == 1 and "cannot read the library" in r.stderr, r.stderr
    assert not (folder / "manifest.json").exists()
    r = camas("plugin", "sign", folder)
    assert r.returncode == 2 and "--key" in r.stderr, r.stderr


def test_trusted_key_options_and_the_line_naming_them(tmp_path):
    """--trusted-key (repeatable) replaces plugins.trusted_keys for ask and check, and one
    line says which keys are trusted and why."""
    keygen(tmp_path / "a.key", tmp_path / "a.pub")
    keygen(tmp_path / "b.key", tmp_path / "b.pub")
    folder = echo_folder(tmp_path)
    r = camas("plugin", "sign", "--key", tmp_path / "b.key", "--version", "1.0.0", folder)
    assert r.returncode == 0, r.stderr
    keyid = lambda pub: Path(pub).read_text().split("minisign public key ")[1].split()[0]
    cfg = tmp_path / "kit.yaml"  # trusts only a.pub, which did not sign echo
    cfg.write_text(json.dumps({"plugins": {"dir": str(folder.parent),
                                           "trusted_keys": [str(tmp_path / "a.pub")]},
                               "knowledge_dir": str(REPO_ROOT / "knowledge"),
                               "state_dir": str(tmp_path / "state")}))
    seed_vector_cache(tmp_path / "state")
    base = ["--config", cfg]

    r = camas(*base, "ask", ECHO_EN, cwd=tmp_path)
    assert r.returncode == 3 and "echo: signature:" in r.stdout, r.stdout + r.stderr
    line = next(x for x in r.stderr.splitlines() if x.startswith("trusted keys"))
    assert "from plugins.trusted_keys" in line and str(tmp_path / "a.pub") in line, line
    assert keyid(tmp_path / "a.pub") in line, line

    r = camas(*base, "ask", "--trusted-key", tmp_path / "a.pub", "--trusted-key",
              tmp_path / "b.pub", ECHO_EN, cwd=tmp_path)
    # "test echo question" has no word only English has: answered in both, English first
    assert r.returncode == 0 and r.stdout.strip().split("\n\n") == [
        "echo v1: echo (en)", "echo v1: echo (fr)"], r.stdout + r.stderr
    line = next(x for x in r.stderr.splitlines() if x.startswith("trusted keys"))
    assert "from --trusted-key" in line and keyid(tmp_path / "b.pub") in line, line

    r = camas(*base, "check", cwd=tmp_path)
    assert r.returncode == 1 and "echo: signature:" in r.stdout + r.stderr, r.stdout + r.stderr
    r = camas(*base, "check", "--trusted-key", tmp_path / "b.pub", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"^trusted keys \(from --trusted-key\): .*b\.pub \(key id "
                     + keyid(tmp_path / "b.pub"), r.stdout, re.M), r.stdout
    assert "echo 1.0.0" in r.stdout

    # Without any key, the plugin is refused and the line says why.
    r = camas("ask", "--plugins", folder.parent, "--knowledge", REPO_ROOT / "knowledge", ECHO_EN,
              cwd=tmp_path)
    assert r.returncode == 3, r.stdout + r.stderr
    assert "trusted keys: none" in r.stderr and "no trusted keys" in r.stdout, r.stderr

    r = camas(*base, "run", "--trusted-key", tmp_path / "b.pub", cwd=tmp_path)
    assert r.returncode == 2 and "for camas ask and camas check" in r.stderr, r.stderr


def test_registering_entries_without_render_is_refused_clearly(tmp_path):
    """render is optional (examples/hello has none), but entries need it: the load is
    refused with a reason a plugin author can act on, not "descriptor incomplete"."""
    lab = PluginLab(tmp_path / "lab")
    lab.install("echo", "echo_norender", "3.0.0")
    r = camas("ask", "--plugins", lab.dir, "--trusted-key", lab.pubkey, "--knowledge",
              REPO_ROOT / "knowledge", ECHO_EN, cwd=tmp_path)
    assert r.returncode == 3, r.stdout + r.stderr
    assert "echo: refused at init: init failed" in r.stdout, r.stdout
    assert "register_entry: the descriptor has no render function" in r.stdout, r.stdout
    assert "descriptor incomplete" not in r.stdout + r.stderr


# -- examples/hello, in tree and out of tree --------------------------------------------------
HELLO = REPO_ROOT / "examples" / "hello"


def sign_and_ask_hello(folder: Path, tmp_path: Path) -> None:
    """One `camas plugin sign`, then !hello through `camas ask` in both languages."""
    keygen(tmp_path / "me.key", tmp_path / "me.pub")
    shutil.copyfile(HELLO / "manifest.json.in", folder / "manifest.json.in")
    r = camas("plugin", "sign", "--key", tmp_path / "me.key", "--version", "1.0.0", folder)
    assert r.returncode == 0, r.stderr
    ask = ["ask", "--plugins", folder.parent, "--trusted-key", tmp_path / "me.pub",
           "--knowledge", REPO_ROOT / "knowledge"]
    r = camas(*ask, "!hello", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.strip() == "Hello! (a camas plugin)", \
        r.stdout + r.stderr
    r = camas(*ask, "--json", "--lang", "fr", "!hello Ada", cwd=tmp_path)
    a = json.loads(r.stdout)
    assert (a["answer"], a["plugin"]) == ("Bonjour, Ada! (une extension camas)", "hello"), a


def test_hello_example_is_short_and_answers(tmp_path):
    lines = (HELLO / "hello.c").read_text().splitlines()
    assert len(lines) <= 60, len(lines)
    folder = tmp_path / "plugins" / "hello"
    folder.mkdir(parents=True)
    shutil.copyfile(camas_binary().parent / "examples" / "hello" / "hello.so", folder / "hello.so")
    sign_and_ask_hello(folder, tmp_path)


def test_hello_builds_out_of_tree_against_the_installed_kit(tmp_path):
    """meson install --destdir, then pkg-config --cflags camas-plugin and a C compiler."""
    import os
    stage = tmp_path / "stage"
    r = meson_install(stage)
    assert r.returncode == 0, r.stdout + r.stderr
    pcs = list(stage.rglob("camas-plugin.pc"))
    assert len(pcs) == 1, pcs
    assert list(stage.rglob("include/camas/plugin.h")), "plugin.h not installed"
    env = dict(os.environ, PKG_CONFIG_PATH=str(pcs[0].parent), PKG_CONFIG_SYSROOT_DIR=str(stage))
    r = subprocess.run(["pkg-config", "--cflags", "camas-plugin"], capture_output=True,
                       text=True, env=env, timeout=30)
    assert r.returncode == 0 and str(stage) in r.stdout, r.stdout + r.stderr
    src = tmp_path / "src"  # only the example's own files: no camas source tree around
    shutil.copytree(HELLO, src)
    folder = tmp_path / "plugins" / "hello"
    folder.mkdir(parents=True)
    cc = subprocess.run(["cc", "-std=c17", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                         "-fvisibility=hidden", *r.stdout.split(), str(src / "hello.c"),
                         "-o", str(folder / "hello.so")],
                        capture_output=True, text=True, timeout=120)
    assert cc.returncode == 0, cc.stdout + cc.stderr
    sign_and_ask_hello(folder, tmp_path)
