"""Scoring of answers in the eval format, and a whole eval run with a scripted generator."""

import json

import pytest

from assistant.evaluation.answers import run_answer_eval, score_answers
from assistant.service import Assistant
from assistant.testing import ScriptedGenerator

QUESTIONS = [
    {"id": "a1", "question": "q", "doc": "msa.pdf", "answers": ["x"], "answer_pages": [[3], [7]]},
    {"id": "a2", "question": "q", "doc": "dpa.txt", "answers": ["y"]},
    {"id": "u1", "question": "q", "doc": None, "answers": []},
    {"id": "u2", "question": "q", "doc": "msa.pdf", "answers": []},
]


def line(qid, abstained, citations, ttft=None, tps=None):
    return {"id": qid, "answer": "", "abstained": abstained, "citations": citations,
            "first_token_seconds": ttft, "tokens_per_second": tps}


def test_scores_follow_the_issue_definitions():
    lines = {
        "a1": line("a1", False, [{"doc": "dir/msa.pdf", "page": 7, "quote": "q", "verbatim": True}], 1.0, 20.0),
        "a2": line("a2", True, [], 3.0, 10.0),
        "u1": line("u1", True, []),
        "u2": line("u2", False, [{"doc": "msa.pdf", "page": 1, "quote": "q", "verbatim": False}], 2.0, 30.0),
    }
    s = score_answers(QUESTIONS, lines)
    assert (s.answerable, s.unanswerable, s.pdf_questions) == (2, 2, 1)
    assert s.cites_gold_document == 0.5  # a1 yes (directories ignored), a2 abstained
    assert s.cites_gold_page == 1.0  # page 7 is the second answer's page
    assert s.abstained_unanswerable == 0.5 and s.abstained_answerable == 0.5
    assert s.quotes == 2 and s.quotes_verbatim == 0.5
    assert s.median_first_token_seconds == 2.0 and s.median_tokens_per_second == 20.0


def test_a_whole_run_writes_one_line_per_question(tmp_path, hash_embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "msa.txt").write_text("9. GOVERNING LAW\nThis Agreement is governed by the laws of Ireland.\n"
                                    "10. NOTICES\nNotices are sent by registered post.\n")
    questions = tmp_path / "q.jsonl"
    rows = [{"id": "law", "question": "Which law governs the agreement?", "doc": "msa.txt",
             "answers": ["governed by the laws of Ireland"]},
            {"id": "none", "question": "What does the Zanzibar Telecom tariff say about roaming?", "doc": None,
             "answers": []}]
    questions.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "answers.jsonl"

    def factory(index_dir):
        return Assistant(index_dir, embedder=hash_embedder, generator=ScriptedGenerator())

    scores, facts = run_answer_eval(corpus, questions, out, factory)
    written = [json.loads(x) for x in out.read_text().splitlines()]
    assert [w["id"] for w in written] == ["law", "none"]
    assert set(written[0]) >= {"id", "answer", "abstained", "citations"}
    assert written[0]["abstained"] is False and "Ireland" in written[0]["answer"]
    assert written[0]["citations"][0] == {"doc": "msa.txt", "page": 1, "verbatim": True, "cut": False,
                                          "quote": written[0]["citations"][0]["quote"]}
    assert "Ireland" in written[0]["citations"][0]["quote"]
    assert written[1]["abstained"] is True and written[1]["citations"] == []
    assert scores.cites_gold_document == 1.0 and scores.abstained_unanswerable == 1.0
    assert scores.abstained_answerable == 0.0 and scores.quotes_verbatim == 1.0
    assert facts["failed"] == []
