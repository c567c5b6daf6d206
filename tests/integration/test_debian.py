"""The Debian package (debian/, built by scripts/build-deb with dpkg-buildpackage): its
contents (the unit, the sysusers file, the conffile, no development key anywhere), the
installed camas answering from the package's own files with the package's key, and ending
with status 2 (not restarted) while the conffile has no credentials, the build's
development key trusted by nothing, lintian without errors, and a real `dpkg -i`: under
CI=true on the test machine itself (then purged), elsewhere as root in a throwaway overlay of
/ in a private mount namespace, so the machine is left as it was."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.camas import REPO_ROOT, camas_binary, warm_embeddings_cache

QUESTION = "who chairs the task force?"
PACKAGE_KEY = "/usr/share/camas/keys/camas-package.pub"
IN_CI = os.environ.get("CI", "").lower() == "true"

pytestmark = pytest.mark.skipif(
    not shutil.which("dpkg-buildpackage"),
    reason="dpkg-buildpackage not installed (apt-get install dpkg-dev debhelper; scripts/setup does)")


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 120)
    return subprocess.run([str(c) for c in cmd], **kw)


@pytest.fixture(scope="module")
def deb():
    """The .deb, built incrementally in .cache/deb (no unit tests: CI runs them already)."""
    r = run(["dpkg-checkbuilddeps", REPO_ROOT / "debian" / "control"])
    if r.returncode != 0:
        if IN_CI:
            pytest.fail(r.stderr)
        pytest.skip(f"build dependencies missing (scripts/setup installs them): {r.stderr.strip()}")
    env = dict(os.environ, DEB_BUILD_OPTIONS="nocheck parallel=2")
    r = run([REPO_ROOT / "scripts" / "build-deb"], env=env, timeout=900, cwd=REPO_ROOT)
    assert r.returncode == 0, (r.stdout + r.stderr)[-6000:]
    path = Path(r.stdout.strip().splitlines()[-1])
    assert path.is_file(), r.stdout[-2000:]
    return path


@pytest.fixture(scope="module")
def root(deb, tmp_path_factory):
    """The package unpacked (dpkg -x) into a scratch directory."""
    d = tmp_path_factory.mktemp("deb-root")
    r = run(["dpkg-deb", "-x", deb, d])
    assert r.returncode == 0, r.stderr
    return d


def key_id(pub: Path) -> str:
    """A minisign public key's id: bytes 2..10 of its base64 line, as camas prints it."""
    import base64
    raw = base64.b64decode(pub.read_text().splitlines()[1])
    return raw[2:10][::-1].hex().upper()


def dev_keys() -> list[Path]:
    """Every development key a build on this machine made: the tests' build and the package's."""
    found = [camas_binary().parent / "plugins" / "dev.pub"]
    found += (REPO_ROOT / ".cache" / "deb").glob("camas-*/obj-*/plugins/dev.pub")
    return [p for p in found if p.is_file()]


def test_package_contents(deb, root):
    r = run(["dpkg-deb", "-I", deb])
    assert "Depends:" in r.stdout and "libwebsockets" in r.stdout, r.stdout
    files = {"/" + str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
    assert "/usr/bin/camas" in files and "/usr/libexec/camas/camas-worker" in files
    assert "/lib/systemd/system/camas.service" in files
    assert "/usr/lib/sysusers.d/camas.conf" in files
    assert PACKAGE_KEY in files
    assert not [f for f in files if f.endswith(("dev.pub", "dev.key", ".key"))], files
    plugins = [f for f in files if f.endswith("/manifest.json.minisig")]
    assert len(plugins) == 4, plugins
    assert "u camas " in (root / "usr/lib/sysusers.d/camas.conf").read_text()
    unit = (root / "lib/systemd/system/camas.service").read_text()
    assert "ExecStart=/usr/bin/camas --config /etc/camas/camas.yaml run" in unit
    assert "User=camas" in unit and "StateDirectory=camas" in unit
    # the conffile: state where the unit puts it, the package key (and only it) trusted
    r = run(["dpkg-deb", "-e", deb, root.parent / "control"])
    assert (root.parent / "control" / "conffiles").read_text().split() == ["/etc/camas/camas.yaml"]
    conf = (root / "etc/camas/camas.yaml").read_text()
    assert 'state_dir: "/var/lib/camas"' in conf
    # the package key offered, commented out: no key is trusted until the admin lists one
    assert re.search(r"#plugins:\n#  trusted_keys:\n#    - \"" + re.escape(PACKAGE_KEY) + '"\n',
                     conf), conf
    assert not re.search(r"^plugins:", conf, re.M), conf


def installed_config(root: Path, tmp_path: Path, trust_package_key: bool = True) -> Path:
    """/etc/camas/camas.yaml of the unpacked package, its absolute paths moved under root;
    with trust_package_key, the three lines that trust the package's key uncommented, as the
    admin does."""
    conf = (root / "etc/camas/camas.yaml").read_text()
    if trust_package_key:
        conf = conf.replace(f'#plugins:\n#  trusted_keys:\n#    - "{PACKAGE_KEY}"',
                            f'plugins:\n  trusted_keys:\n    - "{root}{PACKAGE_KEY}"')
    conf = conf.replace('state_dir: "/var/lib/camas"', f'state_dir: "{tmp_path / "state"}"')
    path = tmp_path / "camas.yaml"
    path.write_text(conf)
    state = tmp_path / "state"
    if not state.exists():
        state.mkdir(mode=0o700)
        if warm_embeddings_cache():  # the same knowledge and model: skip embedding it again
            shutil.copy(warm_embeddings_cache(), state / "embeddings.cache")
    return path


def test_unpacked_package_checks_and_answers(root, tmp_path):
    """The installed camas, with the package's conffile once the admin trusts the package's
    key, finds its worker, plugins, knowledge and model by itself and answers."""
    camas = root / "usr/bin/camas"
    config = installed_config(root, tmp_path)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    r = run([camas, "--config", config, "check"], cwd=cwd)
    out = r.stdout + r.stderr
    assert r.returncode == 0 and "0 problems" in r.stdout, out
    assert f"from plugins.trusted_keys): {root}{PACKAGE_KEY}" in out, out
    assert f"model {root}/usr/share/camas/models/e5-small-q4.bin" in out, out
    r = run([camas, "--config", config, "ask", QUESTION], cwd=cwd)
    assert r.returncode == 0 and "Richard Torrance" in r.stdout, r.stdout + r.stderr


def test_shipped_conffile_trusts_no_key_and_says_which_to_add(root, tmp_path):
    """As shipped, the package trusts no key: camas check refuses every plugin, says so, and
    names the package's key to list (issue 14: trusts no key until the admin adds one)."""
    config = installed_config(root, tmp_path, trust_package_key=False)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    r = run([root / "usr/bin/camas", "--config", config, "check"], cwd=cwd)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "trusted keys: none" in out and "every plugin will be refused" in out, out
    assert f"signed with {root}{PACKAGE_KEY}" in out, out


def test_unconfigured_service_stops_without_a_restart_loop(root, tmp_path):
    """The unit's command with the conffile as shipped ends at once with status 2 (a
    configuration error), which the unit's RestartPreventExitStatus=2 does not restart."""
    unit = (root / "lib/systemd/system/camas.service").read_text()
    assert "RestartPreventExitStatus=2" in unit and "Restart=on-failure" in unit
    r = run([root / "usr/bin/camas", "--config", installed_config(root, tmp_path), "run"],
            cwd=tmp_path, timeout=60)
    assert r.returncode == 2 and "no credentials" in r.stderr, r.stderr[-3000:]


def test_no_development_key_is_trusted(root, tmp_path):
    """The build's development key signs nothing in the package and camas trusts no key by
    itself: without plugins.trusted_keys every plugin is refused."""
    package_key = root / PACKAGE_KEY.lstrip("/")
    devs = dev_keys()
    assert devs, "no development key found to compare with (build/plugins/dev.pub)"
    for dev in devs:
        assert key_id(dev) != key_id(package_key), dev
    manifests = sorted(root.rglob("manifest.json"))
    assert len(manifests) == 4
    for m in manifests:
        ok = run([camas_binary(), "verify", "-q", "-p", package_key, "-m", m])
        assert ok.returncode == 0, (m, ok.stderr)
        for dev in devs:
            bad = run([camas_binary(), "verify", "-q", "-p", dev, "-m", m])
            assert bad.returncode != 0, (m, dev)
    # no configuration: no key at all, every plugin refused
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    r = run([root / "usr/bin/camas", "--state", tmp_path / "state", "ask", QUESTION], cwd=cwd)
    assert r.returncode == 3 and "trusted keys: none" in r.stderr, r.stdout + r.stderr
    dev_ids = {key_id(d) for d in devs}
    r = run([root / "usr/bin/camas", "--config", installed_config(root, tmp_path), "check"],
            cwd=cwd)
    ids = set(re.findall(r"key id ([0-9A-F]{16})", r.stdout + r.stderr))
    assert ids == {key_id(package_key)} and not ids & dev_ids, r.stdout + r.stderr


@pytest.mark.skipif(not shutil.which("lintian"), reason="lintian not installed (apt-get install lintian)")
def test_lintian_finds_no_errors(deb):
    r = run(["lintian", "--no-tag-display-limit", deb], timeout=300)
    errors = [line for line in r.stdout.splitlines() if line.startswith("E:")]
    assert not errors, r.stdout


# What dpkg -i must have done, checked inside the system it was installed in.
AFTER_INSTALL = r"""
set -euo pipefail
getent passwd camas | grep -q ':/usr/sbin/nologin$'
[ "$(stat -c '%U:%G %a' /etc/camas/camas.yaml)" = "root:camas 640" ]
[ "$(readlink /etc/systemd/system/multi-user.target.wants/camas.service)" = /lib/systemd/system/camas.service ]
if command -v systemd-analyze >/dev/null; then  # the unit as installed: binary and user exist
  systemd-analyze verify --man=no /lib/systemd/system/camas.service
fi
state=$(mktemp -d)
cd "$state"
if [ -n "${WARM_CACHE:-}" ]; then cp "$WARM_CACHE" "$state/embeddings.cache"; fi
# as installed no key is trusted; the admin uncomments the package key's three lines
! camas --config /etc/camas/camas.yaml --state "$state" check > "$state/untrusted.txt" 2>&1
grep -q 'trusted keys: none' "$state/untrusted.txt"
sed -i -e 's|^#plugins:$|plugins:|' -e 's|^#  trusted_keys:$|  trusted_keys:|' \
  -e 's|^#    - "/usr/share/camas/keys/camas-package.pub"$|    - "/usr/share/camas/keys/camas-package.pub"|' \
  /etc/camas/camas.yaml
camas --config /etc/camas/camas.yaml --state "$state" check | tail -1
camas --config /etc/camas/camas.yaml --state "$state" ask '""" + QUESTION + r"""'
rm -rf "$state"
dpkg --purge camas >/dev/null
! getent passwd camas >/dev/null || echo "user camas kept after purge"
[ ! -e /etc/camas ] && echo "purged"
"""


def overlay_script(deb: Path) -> str:
    """AFTER_INSTALL after `dpkg -i`, chrooted into an overlay of / whose changes vanish
    with the mount namespace it is run in."""
    return f"""
set -euo pipefail
base=$(mktemp -d)
# removed only once unmounted, and never across a mount (/dev is bound in there)
trap 'umount -R "$base/m" && rm -rf --one-file-system "$base"' EXIT
mkdir -p "$base/u" "$base/w" "$base/m"
mount -t overlay overlay -o "lowerdir=/,upperdir=$base/u,workdir=$base/w" "$base/m"
mount --bind /proc "$base/m/proc"
mount --bind /dev "$base/m/dev"
cp {deb} "$base/m/tmp/camas.deb"
chroot "$base/m" /bin/bash -c 'dpkg -i /tmp/camas.deb >/dev/null && rm /tmp/camas.deb'
chroot "$base/m" /usr/bin/env WARM_CACHE="${{WARM_CACHE:-}}" /bin/bash -c {shlex_quote(AFTER_INSTALL)}
"""


def shlex_quote(s: str) -> str:
    import shlex
    return shlex.quote(s)


def test_dpkg_install(deb):
    """dpkg -i: the user camas, the conffile readable by root and group camas only, the unit
    enabled (not started) and verified by systemd-analyze, the installed camas refuses every
    plugin until the admin trusts the package's key, then checks and answers; then a purge
    removes it."""
    if os.geteuid() != 0:
        pytest.skip("dpkg -i needs root")
    cache = warm_embeddings_cache()
    env = dict(os.environ, WARM_CACHE=str(cache) if cache else "")
    if IN_CI:
        r = run(["dpkg", "-i", deb], timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
        r = run(["bash", "-c", AFTER_INSTALL], timeout=300, env=env)
    else:
        if not shutil.which("unshare"):
            pytest.skip("outside CI, dpkg -i runs only in a throwaway overlay: unshare missing")
        r = run(["unshare", "--mount", "--propagation", "private", "bash", "-c",
                 overlay_script(deb)], timeout=300, env=env)
        if "overlay" in r.stderr and ("mount" in r.stderr or "permission" in r.stderr.lower()):
            pytest.skip(f"no overlay mount here (outside CI dpkg -i runs only in one): {r.stderr}")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "0 problems" in r.stdout and "Richard Torrance" in r.stdout, out
    assert "purged" in r.stdout, out
