"""The command line end to end, with the real MiniLM embedder and real Chroma."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import cli
from tests.docmaker import CONTRACT_PAGES, write_pdf

REFERENCE_SCORER = Path(__file__).resolve().parents[2] / "shared" / "eval" / "tools" / "retrieval_metrics.py"


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_pdf(folder / "Acme MSA.PDF", CONTRACT_PAGES)
    (folder / "dpa.txt").write_text(
        "DATA PROCESSING ADDENDUM between Acme Widgets Ltd and Globex Corporation\n"
        "Article 4 Personal data breaches\nThe processor shall notify the controller within 48 hours of a breach.\n"
        "Article 5 Sub-processors\nThe processor shall not engage a sub-processor without prior written authorisation.\n"
    )
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 nonsense")
    return folder


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_ingest_docs_search_remove(tmp_path, corpus, capsys):
    index = tmp_path / "idx"
    code, out, err = run(capsys, "--index", index, "ingest", corpus)
    assert code == 1  # one file failed, and the exit status says so
    assert "2 indexed, 0 unchanged, 1 failed" in out
    assert "broken.pdf" in out and "damaged" in out
    assert "[3/3]" in err  # the progress lines

    code, out, _ = run(capsys, "--index", index, "docs")
    assert code == 0 and "Acme MSA.PDF" in out and "dpa.txt" in out and "2 documents" in out

    code, out, _ = run(capsys, "--index", index, "search", "How quickly must a personal data breach be notified?", "-k", "2")
    assert code == 0
    first = out.split("[2]")[0]
    assert "[1] dpa.txt, p. 1" in first and "48 hours" in first

    code, out, _ = run(capsys, "--index", index, "search", "governing law", "--type", "pdf", "-k", "1")
    assert "[1] Acme MSA.PDF, p. 2" in out and "New York" in " ".join(out.split())

    code, out, _ = run(capsys, "--index", index, "ingest", corpus / "dpa.txt")
    assert "0 indexed, 1 unchanged, 0 failed" in out

    code, out, _ = run(capsys, "--index", index, "remove", "dpa.txt")
    assert code == 0 and out.startswith("removed dpa.txt")
    code, out, _ = run(capsys, "--index", index, "docs")
    assert "dpa.txt" not in out and "1 documents" in out


def test_ingest_is_fast_first_and_upgrade_brings_minilm_vectors(tmp_path, corpus, capsys, minilm):
    """The real static model and MiniLM: an ingest leaves the documents on fast vectors and says
    so; `upgrade` moves them to Chroma; `ingest --full` does both in one go."""
    from assistant.embedding.static import StaticEmbedder
    from assistant.service import Assistant

    index = tmp_path / "idx"
    code, out, err = run(capsys, "--index", index, "ingest", corpus / "dpa.txt")
    assert code == 0 and "1 document is searchable with fast vectors" in err
    code, out, err = run(capsys, "--index", index, "search", "breach notification deadline", "-k", "1")
    assert "[1] dpa.txt" in out and "48 hours" in out and "fast vectors" in err
    manifest = json.loads((index / "manifest.json").read_text())
    assert manifest["fast_embedder"] == StaticEmbedder.name and manifest["fast_dimension"] == 256

    code, out, err = run(capsys, "--index", index, "upgrade")
    assert code == 0 and out.startswith("1 document upgraded to full-quality vectors")
    code, out, err = run(capsys, "--index", index, "docs")
    assert "fast vectors" not in err
    code, out, _ = run(capsys, "--index", index, "upgrade")
    assert out.startswith("0 documents upgraded")

    code, out, err = run(capsys, "--index", tmp_path / "full", "ingest", "--full", corpus / "dpa.txt")
    assert "1 document upgraded" in out and "fast vectors;" not in err
    opened = Assistant(tmp_path / "full", embedder=minilm, fast_embedder=StaticEmbedder())
    counts = opened.index.consistency()
    assert counts["vectors"] == counts["windows"] > 0 and counts["fast_vectors"] == 0
    opened.close()


def test_clausewise_home_sets_the_index_for_every_command(tmp_path, corpus, capsys, monkeypatch):
    monkeypatch.setenv("CLAUSEWISE_HOME", str(tmp_path / "home"))
    run(capsys, "ingest", corpus / "dpa.txt")
    assert (tmp_path / "home" / "default" / "manifest.json").exists()
    code, out, _ = run(capsys, "docs")
    assert "dpa.txt" in out


def test_errors_are_plain_messages_not_tracebacks(tmp_path, capsys):
    code, out, err = run(capsys, "--index", tmp_path / "idx", "remove", "nothing.pdf")
    assert code == 1
    assert err.strip() == "clausewise: No indexed document is called 'nothing.pdf'."


def test_eval_retrieval_writes_a_run_file_scored_like_the_reference(tmp_path, corpus, capsys):
    questions = tmp_path / "q.jsonl"
    rows = [
        {"id": "q1", "question": "Which law governs the Acme / Globex supply agreement?", "doc": "Acme MSA.PDF",
         "answers": ["governed by the laws of the State of New York"], "category": "Governing Law"},
        {"id": "q2", "question": "How fast must the processor report a data breach?", "doc": "dpa.txt",
         "answers": ["The processor shall notify the controller within 48 hours of a breach."], "category": "dpa"},
        {"id": "q3", "question": "What is the price of bananas?", "doc": None, "answers": [], "category": "unanswerable"},
    ]
    questions.write_text("\n".join(json.dumps(r) for r in rows))
    out_file = tmp_path / "run.jsonl"
    code, out, _ = run(capsys, "eval", "retrieval", "--corpus", corpus, "--questions", questions, "--out", out_file)
    assert code == 0
    run_rows = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert [r["id"] for r in run_rows] == ["q1", "q2", "q3"]
    for r in run_rows:
        assert len(r["retrieved"]) >= 3  # every chunk in this tiny corpus, best first
        assert all({"doc", "page", "text"} <= set(c) for c in r["retrieved"])
    assert "recall@10: 1.000" in out
    if REFERENCE_SCORER.exists():
        ref = subprocess.run([sys.executable, str(REFERENCE_SCORER), str(questions), str(out_file)],
                             capture_output=True, text=True, check=True)
        metrics = json.loads(ref.stdout)
        assert f"recall@5:  {metrics['recall_at_5']:.3f}" in out
        assert f"MRR@10:    {metrics['mrr_at_10']:.3f}" in out


def test_demo_indexes_the_bundled_samples(tmp_path, capsys):
    code, out, _ = run(capsys, "--index", tmp_path / "idx", "demo", "--model", "smollm2-135m")
    assert code == 0
    assert "2 indexed" in out
    answered = out.split("(answered by the local model)")[1]
    assert ("\nSources:\n[" in answered) or ("\nNearest passages:\n[" in answered)
    assert "sixty (60) days" in out.split("? Within")[0]  # the termination-for-convenience clause
    assert "forty-eight" in out.split("? Within")[1].split("? Which")[0]


def test_ask_answers_with_the_model_in_the_settings_unless_told_otherwise(tmp_path, monkeypatch):
    """The app and the CLI read the same settings.toml; nothing here loads a model."""
    from assistant.settings import GenerationSettings, Settings, save_settings

    home = tmp_path / "home"
    monkeypatch.setenv("CLAUSEWISE_HOME", str(home))
    parse = cli.build_parser().parse_args
    assert cli._assistant(parse(["ask", "q"])).model_name == "qwen2.5-coder-0.5b"  # no file: the default
    save_settings(Settings(generation=GenerationSettings(model="smollm2-135m", context_tokens=2048,
                                                         server_model="big", api_key="sk-secret-4711")),
                  home / "settings.toml")
    assistant = cli._assistant(parse(["ask", "q"]))
    assert assistant.model_name == "smollm2-135m"
    assert assistant.generator.settings.context_tokens == 2048
    assert assistant.index_dir == home / "default"
    assert cli._assistant(parse(["ask", "q", "--model", "qwen2.5-coder-1.5b"])).model_name == "qwen2.5-coder-1.5b"
    served = cli._assistant(parse(["ask", "q", "--server", "http://127.0.0.1:9/v1"])).generator.settings
    assert (served.server_url, served.server_model, served.api_key) == ("http://127.0.0.1:9/v1", "", "")
    assert cli._assistant(parse(["ask", "q", "--passages", "6"])).answer_settings.passages == 6


def test_a_bad_option_value_names_itself(tmp_path, capsys):
    code, _, err = run(capsys, "--index", tmp_path / "idx", "ask", "q", "--passages", "42")
    assert code == 1 and "answering.passages must be between 1 and 10, got 42" in err


def test_no_command_prints_the_help_and_names_the_app_without_importing_ui():
    code = ("import sys; sys.modules['ui'] = None; sys.modules['PySide6'] = None\n"
            "from assistant import cli; sys.exit(cli.main([]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "usage: clausewise" in out.stdout and "clausewise-app" in out.stdout
