"""Scoring of answers in the eval format, and a whole eval run with a scripted generator."""

import json


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


def test_what_the_answer_says_is_scored_key_facts_parts_and_faults():
    from assistant.evaluation.answers import echoes_labels, is_cut

    questions = [
        {"id": "f", "question": "q", "doc": "a.pdf", "answers": ["The fee is $450 a month.", "due by the 5th day"],
         "parts": [["The fee is $450 a month."], ["due by the 5th day"]], "key_facts": [["$450"], ["5th", "fifth"]]},
        {"id": "g", "question": "q", "doc": "a.pdf", "answers": ["Liability is capped at one month of fees."],
         "key_facts": [["one month", "1 month"]]},
    ]
    lines = {
        "f": {**line("f", False, [{"doc": "a.pdf", "page": 1, "quote": "The fee is $450 a month.", "cut": False}]),
              "answer": "The fee is $450 a month [1], due by the fifth."},
        "g": {**line("g", False, [{"doc": "a.pdf", "page": 2, "quote": "Liability is capped at one", "cut": True}]),
              "answer": "Capped at 11 months [1].", "echoed": True, "unsupported_claims": ["11"]},
    }
    s = score_answers(questions, lines)
    assert s.key_facts_stated == 0.5  # "11 months" is not "1 month": no digit may run on
    assert s.clause_covered == 1.0  # both quotes cover half their gold span or more
    assert s.two_part == 1 and s.every_part_answered == 1.0  # part two by its key fact
    assert (s.answers_cut, s.labels_echoed, s.unsupported_statements) == (1, 1, 1)
    page = "9.1 The fee is $450 a month. It is due on the 5th"
    assert not is_cut("The fee is $450 a month.", 4, 28, page) and is_cut("fee is $450", 8, 19, page)
    assert not is_cut("It is due on the 5th", 29, len(page), page)  # the page ends there
    assert echoes_labels("XIII - GOVERNING LAW , p [1]. 2: 1.12") and echoes_labels("[1] Acme MSA, p. 1: GOVERNING LAW")
    assert not echoes_labels("The fee is $450 [1] (Acme MSA, page 2, clause 7. FEES).")
