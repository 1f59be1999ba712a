"""Properties of the whole core: it works with the network blocked, and it never needs Qt."""

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
        "import assistant.cli, assistant.service, assistant.evaluation, assistant.ingest.pipeline\n"
        "import assistant.retrieval.hybrid, assistant.store.index, assistant.embedding\n"
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
