"""Properties of the whole core: it works with the network blocked, it never needs Qt, and no
stage depends on the evaluation."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.service import Assistant
from tests.docmaker import CONTRACT_PAGES, write_pdf

ROOT = Path(__file__).resolve().parents[1]


def test_end_to_end_with_real_minilm_and_chroma_and_no_network(tmp_path, minilm):
    write_pdf(tmp_path / "msa.pdf", CONTRACT_PAGES)
    (tmp_path / "dpa.txt").write_text(
        "Article 4 Personal data breaches\nThe processor shall notify the controller within 48 hours.\n"
    )
    assistant = Assistant(tmp_path / "idx", embedder=minilm)
    reports = assistant.ingest([tmp_path / "msa.pdf", tmp_path / "dpa.txt"])
    assert [r.status.value for r in reports] == ["ok", "ok"]
    counts = assistant.index.consistency()
    assert counts["chunks"] == counts["lexical"] == sum(r.chunks for r in reports)
    assert counts["vectors"] == counts["windows"] >= counts["chunks"]
    # a paraphrase with no shared keyword is found by the dense ranker
    hits = assistant.search("What is the maximum amount Acme could have to pay in damages?", k=3)
    assert "total liability of Acme shall not exceed" in hits[0].text and hits[0].page == 2
    assert hits[0].dense_rank == 1
    vector = minilm.embed_query("liability cap")
    assert vector.shape == (384,) and abs(float((vector ** 2).sum()) - 1.0) < 1e-4
    assistant.close()


def test_core_imports_without_pyside6():
    code = (
        "import sys; sys.modules['PySide6'] = None\n"  # any import of PySide6 now fails
        "import assistant.cli, assistant.service, assistant.ingest.pipeline\n"
        "import assistant.evaluation.retrieval, assistant.evaluation.answers, assistant.evaluation.review\n"
        "import assistant.retrieval.hybrid, assistant.store.index, assistant.embedding.minilm, assistant.embedding.process\n"
        "assert not any(m.startswith('PySide6.') for m in sys.modules)\n"
        "print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_no_module_in_the_core_mentions_qt():
    offenders = [p for p in (ROOT / "assistant").rglob("*.py")
                 if "import PySide6" in p.read_text() or "from PySide6" in p.read_text()]
    assert offenders == []


def imported_modules(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module an `import` or `from ... import` in `source` names, relative imports resolved
    against `module`; `from a import b` counts both `a` and `a.b` (b may be a submodule)."""
    package = module if is_package else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - (node.level - 1)] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def is_evaluation(name: str) -> bool:
    return name == "assistant.evaluation" or name.startswith("assistant.evaluation.")


def test_the_import_reader_sees_every_spelling_of_an_evaluation_import():
    spellings = ["import assistant.evaluation.common", "from assistant.evaluation.review import score_review",
                 "from assistant import evaluation", "from .. import evaluation", "from ..evaluation import common",
                 "def later():\n    from assistant.evaluation.answers import run_answer_eval"]
    for code in spellings:
        assert any(map(is_evaluation, imported_modules(code, "assistant.review.engine"))), code
    assert not any(map(is_evaluation, imported_modules("from assistant import evaluate_x\nimport assistant.review",
                                                       "assistant.review.engine")))


def test_no_stage_imports_the_evaluation():
    """Only the CLI (the `clausewise eval` commands) may import assistant.evaluation, besides the
    evaluation package itself; tests and benchmarks live outside assistant/."""
    offenders = []
    for path in sorted((ROOT / "assistant").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[:2] == ("assistant", "evaluation") or parts == ("assistant", "cli"):
            continue
        is_package = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if is_package else parts)
        names = imported_modules(path.read_text(encoding="utf-8"), module, is_package)
        offenders += [f"{path.relative_to(ROOT)}: {name}" for name in sorted(names) if is_evaluation(name)]
    assert offenders == []


def test_every_test_is_blocked_from_the_network():
    import socket

    from tests.conftest import NetworkBlocked

    for address in [("10.1.2.3", 80), ("93.184.216.34", 443), ("127.0.0.1", 9)]:  # loopback too, unless marked
        with pytest.raises(NetworkBlocked):
            socket.create_connection(address, timeout=1)
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("pypi.org", 443)


@pytest.mark.loopback
def test_a_loopback_test_reaches_its_own_server_and_nothing_else():
    import socket

    from tests.conftest import NetworkBlocked

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=1) as client:
            assert client.getpeername() == server.getsockname()
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("10.1.2.3", 80), timeout=1)


def test_every_test_has_its_own_empty_data_directory(own_data_home):
    from assistant.paths import data_home, models_home

    assert data_home() == own_data_home and not any(own_data_home.iterdir())
    assert models_home() != own_data_home / "models"  # the models prepared at set-up are shared
