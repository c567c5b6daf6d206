"""Test plugins (tests/plugins, built into build/tests/plugins) installed into a private
plugins directory and signed with a private key, so each test decides exactly what camas
finds: good, tampered, unsigned, signed by someone else, older, broken."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable, Optional

from .camas import REPO_ROOT, camas_binary

TEMPLATES = REPO_ROOT / "tests" / "plugins"


def plugin_libs_dir() -> Path:
    """Where meson puts the test plugin libraries: <build>/tests/plugins."""
    return camas_binary().parent / "tests" / "plugins"


def sha256_file(path: os.PathLike) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def keygen(seckey: os.PathLike, pubkey: os.PathLike) -> None:
    """An unencrypted minisign key pair made by `camas keygen -W`."""
    Path(seckey).parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(camas_binary()), "keygen", "-W", "-f", "-s", str(seckey),
                    "-p", str(pubkey), "-c", "camas test key"],
                   check=True, capture_output=True, timeout=30)


def minisign_keygen(seckey: os.PathLike, pubkey: os.PathLike) -> None:
    """An unencrypted key pair made by the real minisign (-G -W)."""
    Path(seckey).parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["minisign", "-G", "-W", "-f", "-s", str(seckey), "-p", str(pubkey)],
                   check=True, capture_output=True, timeout=30)


class PluginLab:
    """A plugins directory plus a trusted key pair of its own.

    lab.install("echo", "echo_v1", "1.0.0") copies build/tests/plugins/echo_v1.so to
    DIR/echo/echo.so and writes DIR/echo/manifest.json(.minisig) signed with lab.seckey.
    """

    def __init__(self, root: os.PathLike):
        self.root = Path(root)
        self.dir = self.root / "plugins"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.seckey = self.root / "keys" / "test.key"
        self.pubkey = self.root / "keys" / "test.pub"
        keygen(self.seckey, self.pubkey)
        self.libs = plugin_libs_dir()

    def folder(self, name: str) -> Path:
        return self.dir / name

    def library(self, name: str) -> Path:
        return self.folder(name) / f"{name}.so"

    def manifest(self, name: str) -> Path:
        return self.folder(name) / "manifest.json"

    def signature(self, name: str) -> Path:
        return self.folder(name) / "manifest.json.minisig"

    def install(self, name: str, lib: Optional[str] = None, version: str = "1.0.0",
                template: Optional[str] = None, seckey: Optional[os.PathLike] = None,
                edit: Optional[Callable[[str], str]] = None, sign: str = "camas") -> Path:
        """Install (or replace) plugin `name` from build/tests/plugins/LIB.so.

        template: manifest template name in tests/plugins (default NAME); edit(text) may
        change the template before signing; sign: "camas" (`camas plugin sign`), "minisign"
        (minisign -S) or "none" (no .minisig). Every file is replaced atomically."""
        src = self.libs / f"{lib or name}.so"
        if not src.exists():
            raise FileNotFoundError(f"{src} (build the test plugins: ninja -C build)")
        folder = self.folder(name)
        folder.mkdir(parents=True, exist_ok=True)
        stage = self.root / "stage" / name
        if stage.exists():
            shutil.rmtree(stage)
        stage.mkdir(parents=True)
        shutil.copyfile(src, stage / f"{name}.so")
        text = (TEMPLATES / f"{template or name}.manifest.json.in").read_text()
        if edit:
            text = edit(text)
        (stage / "manifest.json.in").write_text(text)
        out = stage / name / "manifest.json"
        out.parent.mkdir()
        key = Path(seckey or self.seckey)
        if sign == "camas":
            subprocess.run([str(camas_binary()), "plugin", "sign", "-q", "--key", str(key),
                            "--version", version, "--library", str(stage / f"{name}.so"),
                            "--output", str(out), str(stage / "manifest.json.in")],
                           check=True, capture_output=True, timeout=30)
        else:
            digest = sha256_file(stage / f"{name}.so")
            out.write_text(text.replace("@VERSION@", version).replace("@SHA256@", digest))
            if sign == "minisign":
                subprocess.run(["minisign", "-S", "-s", str(key), "-m", str(out),
                                "-x", str(out) + ".minisig",
                                "-t", f"camas plugin {name} {version} sha256:{digest}"],
                               check=True, capture_output=True, timeout=30)
            elif sign != "none":
                raise ValueError(sign)
        os.replace(stage / f"{name}.so", self.library(name))
        os.replace(out, folder / "manifest.json")
        sig = Path(str(out) + ".minisig")
        if sig.exists():
            os.replace(sig, self.signature(name))
        elif self.signature(name).exists():
            self.signature(name).unlink()
        shutil.rmtree(stage)
        return folder

    def tamper_library(self, name: str) -> None:
        """Change the library's bytes after signing (one byte appended)."""
        with open(self.library(name), "ab") as f:
            f.write(b"\0")

    def remove(self, name: str) -> None:
        shutil.rmtree(self.folder(name), ignore_errors=True)

    def config(self, deadline_ms: Optional[int] = None) -> dict:
        """The plugins/knowledge part of a camas config for this lab."""
        plugins: dict = {"dir": str(self.dir), "trusted_keys": [str(self.pubkey)]}
        if deadline_ms is not None:
            plugins["deadline_ms"] = deadline_ms
        return {"plugins": plugins, "knowledge_dir": str(REPO_ROOT / "knowledge")}
