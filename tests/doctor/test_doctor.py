"""`clausewise doctor`: real Chroma and SQLite indexes in temporary folders, a tiny model file with
its real SHA-256 in a fake catalogue, and the machine-level checks fed sample inputs."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant import cli
from assistant.doctor import Environment, NamedIndex, Status, checkup
from assistant.doctor.checkup import data, environment, indexes, machine, models, versions
from assistant.doctor.desktop import debian_package, install_advice, missing_libraries, xcb_check
from assistant.doctor.report import Check, Report
from assistant.doctor.system import cpu_features_in_use, llama_checks
from assistant.embedding.minilm import MiniLMEmbedder
from assistant.generation.llama_build import BuildInfo
from assistant.generation.models import KnownModel
from assistant.service import Assistant
from assistant.settings import GenerationSettings, Settings
from assistant.testing import HashEmbedder
from assistant.types import Source

CONTRACT = """SUPPLY AGREEMENT between Northwind Components Ltd and Harbour Tools GmbH.
1. TERM
1.1 The term is three (3) years and renews for one (1) year unless notice is given ninety (90) days before expiry.
2. GOVERNING LAW
2.1 This Supply Agreement is governed by the laws of Ireland.
3. LIABILITY
3.1 Neither party's total liability shall exceed the fees paid in the twelve (12) months before the claim.
"""

# The checks that depend only on the environment handed in (not on this machine's X11 or llama.cpp).
PORTABLE_CHECKS = (versions, models, machine, data, indexes)
ROOT = Path(__file__).resolve().parents[2]
TINY_BYTES = b"GGUF" + bytes(range(256)) * 8


@pytest.fixture
def contract(tmp_path) -> Path:
    path = tmp_path / "docs" / "supply.txt"
    path.parent.mkdir()
    path.write_text(CONTRACT)
    return path


@pytest.fixture
def tiny_model(tmp_path) -> tuple[KnownModel, Path]:
    """A part-built model whose joined file is in the models folder (its parts are not installed)."""
    models_dir = tmp_path / "models"
    models_dir.mkdir()
    model = KnownModel(key="tiny", label="Tiny test model", file_name="tiny.gguf", size=len(TINY_BYTES),
                       sha256=hashlib.sha256(TINY_BYTES).hexdigest(), part_packages=("clausewise_no_such_part1",))
    (models_dir / model.file_name).write_bytes(TINY_BYTES)
    return model, models_dir


def make_env(tmp_path, model: KnownModel, models_dir: Path, embedder, folders=(), **overrides) -> Environment:
    values = dict(data_dir=tmp_path / "home", models_dir=models_dir, settings=Settings(generation=GenerationSettings(model=model.key)),
                  indexes=tuple(NamedIndex(name, folder) for name, folder in folders),
                  catalogue={model.key: model}, default_model=model.key,
                  embedder=(embedder.name, embedder.dimension), free_memory=lambda: 16 * 2**30)
    values.update(overrides)
    return Environment(**values)


def only(report: Report, name: str) -> Check:
    found = [c for c in report.checks if c.name == name]
    assert len(found) == 1, [c.name for c in report.checks]
    return found[0]


def problem_lines(report: Report) -> list[str]:
    text = report.text()
    assert "Problems:" in text
    return [line for line in text.split("Problems:\n", 1)[1].splitlines() if line.strip()]


def test_healthy_index_and_verified_model_exit_0(assistant, contract, tiny_model, tmp_path, hash_embedder):
    [ingested] = assistant.ingest([contract])
    counts = assistant.index.consistency()
    model, models_dir = tiny_model
    report = checkup(make_env(tmp_path, model, models_dir, hash_embedder, [("Contracts", tmp_path / "index")]),
                     checks=PORTABLE_CHECKS)

    assert report.exit_code == 0, report.text()
    index_line = only(report, "Index “Contracts”")
    assert index_line.status is Status.OK
    assert index_line.detail.startswith(
        f"1 document, {ingested.chunks} passages, {counts['vectors']} vectors: consistent")
    tiny = only(report, "tiny (default, chosen)")
    assert tiny.status is Status.OK and "SHA-256 verified" in tiny.detail
    assert "GiB free" in only(report, "Free memory").detail
    assert only(report, "Python").status is Status.OK
    assert report.text().rstrip().endswith("No problems found.")


def test_missing_default_model_names_it_and_says_prepare(tiny_model, tmp_path, hash_embedder):
    model, models_dir = tiny_model
    (models_dir / model.file_name).unlink()
    report = checkup(make_env(tmp_path, model, models_dir, hash_embedder), checks=(models,))

    assert report.exit_code == 1
    [line] = problem_lines(report)
    assert line.startswith("  - tiny (default, chosen): Tiny test model is not installed "
                           "(package clausewise-no-such-part1 not installed).")
    assert line.endswith("What to do: install it (make setup), then run: clausewise models prepare tiny")


def test_damaged_model_file_is_a_problem(tiny_model, tmp_path, hash_embedder):
    model, models_dir = tiny_model
    path = models_dir / model.file_name
    path.write_bytes(TINY_BYTES[:-1] + b"X")  # same size, one byte changed: only the hash can tell
    report = checkup(make_env(tmp_path, model, models_dir, hash_embedder), checks=(models,))

    check = only(report, "tiny (default, chosen)")
    assert check.status is Status.PROBLEM and "checksum mismatch" in check.detail
    assert check.remedy == f"delete {path}, then run: clausewise models prepare tiny"


def test_installed_parts_are_hashed_without_being_joined(tmp_path, monkeypatch, hash_embedder):
    halves = (TINY_BYTES[:1000], TINY_BYTES[1000:])
    for n, half in enumerate(halves, start=1):
        package = tmp_path / "site" / f"clausewise_test_part{n}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "data" / "part01.bin").write_bytes(half)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    model = KnownModel(key="split", label="Split test model", file_name="split.gguf", size=len(TINY_BYTES),
                       sha256=hashlib.sha256(TINY_BYTES).hexdigest(),
                       part_packages=("clausewise_test_part1", "clausewise_test_part2"))
    models_dir = tmp_path / "models"
    report = checkup(make_env(tmp_path, model, models_dir, hash_embedder), checks=(models,))
    check = only(report, "split (default, chosen)")
    assert check.status is Status.NOTE and "2 parts are installed and check out" in check.detail
    assert not models_dir.exists()  # the report never joins

    wrong = KnownModel(**{**model.__dict__, "sha256": "0" * 64})
    report = checkup(make_env(tmp_path, wrong, models_dir, hash_embedder), checks=(models,))
    assert only(report, "split (default, chosen)").status is Status.PROBLEM


def test_user_picked_model_file_that_is_gone_is_a_problem(tiny_model, tmp_path, hash_embedder):
    model, models_dir = tiny_model
    gone = tmp_path / "nowhere" / "mine.gguf"
    report = checkup(make_env(tmp_path, model, models_dir, hash_embedder, settings=Settings(generation=GenerationSettings(model=str(gone)))),
                     checks=(models,))
    picked = only(report, "Model in settings")
    assert picked.status is Status.PROBLEM and str(gone) in picked.detail
    assert only(report, "tiny (default)").status is Status.OK


def test_vector_missing_from_chroma_names_the_index_and_the_count(assistant, contract, tiny_model, tmp_path,
                                                                   hash_embedder):
    assistant.ingest([contract])
    collection = assistant.index.vectors._collection
    all_ids = collection.get(include=[])["ids"]
    collection.delete(ids=[sorted(all_ids)[0]])
    model, models_dir = tiny_model
    env = make_env(tmp_path, model, models_dir, hash_embedder, [("Contracts", tmp_path / "index")])
    report = checkup(env, checks=(indexes,))

    assert report.exit_code == 1
    [line] = problem_lines(report)
    assert line.startswith(f"  - Index “Contracts”: 1 document, ")
    left = len(all_ids) - 1
    assert f"{left} vector{'' if left == 1 else 's'}; inconsistent: 1 vector id missing from Chroma (in supply.txt)" in line
    assert "Re-index" in line

    # A vector no document owns is counted on the other side.
    collection.add(ids=["stray-00000#0"], embeddings=[[1.0] + [0.0] * (hash_embedder.dimension - 1)],
                   metadatas=[{"source_id": "stray", "doc_type": "txt", "chunk_id": "stray-00000"}])
    detail = only(checkup(env, checks=(indexes,)), "Index “Contracts”").detail
    assert "1 vector id missing from Chroma" in detail and "1 vector id in Chroma that the catalog does not list" in detail


def test_index_of_another_embedder_is_reported_not_crashed_on(assistant, contract, tiny_model, tmp_path):
    assistant.ingest([contract])
    model, models_dir = tiny_model
    report = checkup(make_env(tmp_path, model, models_dir, MiniLMEmbedder, [("Contracts", tmp_path / "index")]),
                     checks=(indexes,))
    check = only(report, "Index “Contracts”")
    assert check.status is Status.PROBLEM
    assert "built with the embedding model 'test/hash-embedder' (64 dimensions)" in check.detail
    assert check.detail.startswith("1 document, ")


def test_reading_an_index_changes_nothing(assistant, contract, tiny_model, tmp_path, hash_embedder):
    assistant.ingest([contract])
    # A document left pending (as by a killed ingest): opening an Index would purge it; the report must not.
    pending = Source("f" * 64, str(contract), "half.txt", "txt", "half", 1, 1, 10)
    assistant.index.catalog.add_pending(pending, vectors=1)
    empty = tmp_path / "empty-collection"
    empty.mkdir()
    model, models_dir = tiny_model
    env = make_env(tmp_path, model, models_dir, hash_embedder,
                   [("Contracts", tmp_path / "index"), ("Empty", empty), ("Later", tmp_path / "not-yet")])
    report = checkup(env, checks=(indexes,))

    assert report.exit_code == 0, report.text()
    assert "1 half-indexed document, cleaned up when it next opens" in only(report, "Index “Contracts”").detail
    assert assistant.index.catalog.status_of(pending.source_id) == "pending"
    assert only(report, "Index “Empty”").detail.startswith("empty: 0 documents")
    assert list(empty.iterdir()) == []  # no manifest, catalog or Chroma folder was created
    assert only(report, "Index “Later”").detail.startswith("not created yet: 0 documents")
    assert not (tmp_path / "not-yet").exists()


def test_machine_and_data_checks(tiny_model, tmp_path, hash_embedder):
    model, models_dir = tiny_model
    (tmp_path / "home").write_text("a file where the data folder should be")
    report = checkup(make_env(tmp_path, model, models_dir, hash_embedder, free_memory=lambda: 2**20),
                     checks=(machine, data))
    memory = only(report, "Free memory")
    assert memory.status is Status.PROBLEM and memory.detail.startswith("0.0 GiB free; tiny with a 4096-token context")
    folder = only(report, "Data folder")
    assert folder.status is Status.PROBLEM and "is a file, not a folder" in folder.detail
    assert only(report, "Models folder").status is Status.OK


def test_unreadable_settings_file_is_a_problem(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAUSEWISE_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "settings.toml").write_text("model = [unclosed")
    env = environment()
    assert env.settings == Settings()  # the defaults stand in, as in the app
    check = only(checkup(env, checks=(data,)), "Settings")
    assert check.status is Status.PROBLEM and "cannot be read" in check.detail
    assert "settings.toml" in check.remedy


def test_the_servers_api_key_never_reaches_the_report(tiny_model, tmp_path, hash_embedder):
    """A report is meant to be sent to whoever supports the installation."""
    model, models_dir = tiny_model
    for server_url in ("http://127.0.0.1:9/v1", ""):  # answered by the server, and by the local model
        generation = GenerationSettings(model=model.key, server_url=server_url, api_key="sk-secret-4711")
        settings = Settings(generation=generation)
        report = checkup(make_env(tmp_path, model, models_dir, hash_embedder, settings=settings), checks=PORTABLE_CHECKS)
        assert "sk-secret-4711" not in report.text() and "sk-secret-4711" not in repr(report)


SAMPLE_LDD = """\
\tlinux-vdso.so.1 (0x00007ffd6b9f3000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f1c2a400000)
\tlibxcb-cursor.so.0 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-cursor.so.0 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f1c29e00000)
"""


def test_ldd_output_names_each_missing_library_with_its_package():
    missing = missing_libraries(SAMPLE_LDD)
    assert missing == ["libxcb-cursor.so.0", "libxkbcommon-x11.so.0", "libxcb-icccm.so.4"]
    assert [debian_package(lib) for lib in missing] == ["libxcb-cursor0", "libxkbcommon-x11-0", "libxcb-icccm4"]
    assert debian_package("libxcb-keysyms.so.1") == "libxcb-keysyms1"
    assert debian_package("libX11-xcb.so.1") == "libx11-xcb1"
    assert debian_package("libglib-2.0.so.0") == "libglib2.0-0"
    assert debian_package("strange") is None
    assert install_advice(missing).startswith("sudo apt-get install libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4")


def test_xcb_check_on_sample_systems(tmp_path):
    plugin = tmp_path / "PySide6" / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    plugin.parent.mkdir(parents=True)
    plugin.write_bytes(b"\x7fELF")
    spec = SimpleNamespace(submodule_search_locations=[str(tmp_path / "PySide6")])

    def ldd(output, code=0):
        return lambda args, **kw: subprocess.CompletedProcess(args, code, stdout=output, stderr="")

    found = xcb_check(lambda name: spec, lambda _: "/usr/bin/ldd", ldd(SAMPLE_LDD, 1), "linux")
    assert found.status is Status.PROBLEM
    assert found.detail == ("cannot load, system libraries are missing: "
                            "libxcb-cursor.so.0, libxkbcommon-x11.so.0, libxcb-icccm.so.4")
    assert "sudo apt-get install libxcb-cursor0" in found.remedy
    healthy = xcb_check(lambda name: spec, lambda _: "/usr/bin/ldd", ldd("\tlibxcb.so.1 => /lib/libxcb.so.1\n"), "linux")
    assert healthy.status is Status.OK
    no_ldd = xcb_check(lambda name: spec, lambda _: None, ldd(""), "linux")
    assert no_ldd.status is Status.NOTE and "ldd is not installed" in no_ldd.detail
    no_qt = xcb_check(lambda name: None, lambda _: "/usr/bin/ldd", ldd(""), "linux")
    assert no_qt.status is Status.PROBLEM and no_qt.remedy == "reinstall: make setup"


def test_the_report_never_imports_qt():
    code = ("import sys\n"
            "from assistant.doctor.desktop import xcb_check\n"
            "check = xcb_check()\n"
            "assert not any(m == 'PySide6' or m.startswith('PySide6.') for m in sys.modules)\n"
            "print(check.name)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Qt xcb plugin"


def test_llama_build_lines():
    def not_installed():
        raise ImportError("No module named 'llama_cpp'")

    [missing] = llama_checks(not_installed)
    assert missing.status is Status.PROBLEM and missing.remedy == "reinstall: make setup"
    info = BuildInfo(version="0.3.16", portable=True, backends=("cpu-haswell", "cpu-x64"),
                     cpu_features="CPU : SSE3 = 1 | AVX = 1 | AVX2 = 1 | AVX512 = 0 | OPENMP = 1 |", gpu_offload=False)
    build, features, gpu = llama_checks(lambda: info)
    assert build.detail.startswith("llama-cpp-python 0.3.16, portable build")
    assert features.detail == "SSE3 AVX AVX2 OPENMP"
    assert gpu.status is Status.NOTE and "CPU only" in gpu.detail
    assert cpu_features_in_use("CPU : AVX = 1 | CUDA : ARCHS = 890 | USE_GRAPHS = 1 |") == "AVX"


def test_cli_doctor_end_to_end(tmp_path, contract, monkeypatch, capsys):
    home = tmp_path / "home"
    monkeypatch.setenv("CLAUSEWISE_HOME", str(home))
    index = tmp_path / "idx"
    # The hash embedder under MiniLM's name and size: the manifest the CLI expects, without loading MiniLM.
    builder = Assistant(index, embedder=HashEmbedder(MiniLMEmbedder.dimension, MiniLMEmbedder.name))
    builder.ingest([contract])
    vectors = builder.index.consistency()["vectors"]
    builder.close()

    code = cli.main(["--index", str(index), "doctor"])
    out = capsys.readouterr().out
    assert code == (1 if "Problems:" in out else 0)
    assert "Python" in out and "Versions" in out and "Indexes" in out
    [line] = [line for line in out.splitlines() if f"Index “{index}”" in line]
    assert f"1 document, " in line and f"{vectors} vectors: consistent ({index})" in line
    assert "Index “default (command line)”" in out and "not created yet" in out
    assert not home.exists()  # the report only looks

    builder = Assistant(index, embedder=HashEmbedder(MiniLMEmbedder.dimension, MiniLMEmbedder.name))
    collection = builder.index.vectors._collection
    collection.delete(ids=collection.get(include=[], limit=2)["ids"])
    builder.close()
    code = cli.main(["--index", str(index), "doctor"])
    out = capsys.readouterr().out
    assert code == 1
    problems = out.split("Problems:\n", 1)[1]
    assert f"- Index “{index}”: " in problems and "2 vector ids missing from Chroma (in supply.txt)" in problems


def test_an_encrypted_index_is_checked_with_its_passphrase_and_reported_locked_without(contract, tiny_model, tmp_path,
                                                                                        hash_embedder, monkeypatch):
    from assistant.store.encryption import create_keyring

    create_keyring(tmp_path / "enc", "doctor's passphrase")
    a = Assistant(tmp_path / "enc", embedder=hash_embedder)
    a.unlock("doctor's passphrase")
    a.ingest([contract])
    a.close()
    model, models_dir = tiny_model
    env = make_env(tmp_path, model, models_dir, hash_embedder, [("Sealed", tmp_path / "enc")])
    monkeypatch.delenv("CLAUSEWISE_PASSPHRASE", raising=False)
    locked = only(checkup(env, checks=(indexes,)), "Index “Sealed”")
    assert locked.status is Status.OK and locked.detail.startswith("encrypted and locked")
    monkeypatch.setenv("CLAUSEWISE_PASSPHRASE", "doctor's passphrase")
    opened = only(checkup(env, checks=(indexes,)), "Index “Sealed”")
    assert opened.status is Status.OK and opened.detail.startswith("1 document, ") and "consistent" in opened.detail
    monkeypatch.setenv("CLAUSEWISE_PASSPHRASE", "not the passphrase")
    wrong = only(checkup(env, checks=(indexes,)), "Index “Sealed”")
    assert wrong.status is Status.PROBLEM and "is wrong" in wrong.detail


def test_the_fast_embedder_is_reported_made_or_still_to_make(tmp_path):
    from assistant.doctor.models import fast_embedder_check
    from assistant.embedding.static import MODEL_FOLDER

    missing = fast_embedder_check(tmp_path)
    assert missing.status.value == "note" and "clausewise models prepare" in missing.remedy
    (tmp_path / MODEL_FOLDER).mkdir()
    (tmp_path / MODEL_FOLDER / "modules.json").write_text("[]")
    assert fast_embedder_check(tmp_path).status.value == "ok"
