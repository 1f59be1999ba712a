import json

from assistant.evaluation.split import split_contracts, write_split


def test_split_is_by_contract_fixed_and_order_free():
    docs = [f"contract-{n:03}.pdf" for n in range(100)]
    parts = split_contracts(docs)
    assert len(parts["tune"]) == 50 and len(parts["validation"]) == 50
    assert not set(parts["tune"]) & set(parts["validation"])
    assert split_contracts(list(reversed(docs))) == parts
    assert split_contracts(docs, seed=1) != parts


def test_write_split_keeps_each_contracts_rows_together(tmp_path):
    eval_set, corpus, out = tmp_path / "set", tmp_path / "corpus", tmp_path / "out"
    eval_set.mkdir(), corpus.mkdir()
    docs = [f"c{n}.pdf" for n in range(6)]
    for doc in docs:
        (corpus / doc).write_text("x")
    rows = {"contracts.jsonl": [{"doc": d} for d in docs],
            "questions.jsonl": [{"id": f"q{i}-{d}", "doc": d} for d in docs for i in range(2)],
            "clause_presence.jsonl": [{"doc": d, "item": "Governing Law", "present": True} for d in docs]}
    for name, lines in rows.items():
        (eval_set / name).write_text("".join(json.dumps(r) + "\n" for r in lines))
    assert write_split(eval_set, corpus, out) == {"tune": 3, "validation": 3}
    for part in ("tune", "validation"):
        linked = sorted(p.name for p in (out / part / "corpus").iterdir())
        questions = [json.loads(l) for l in (out / part / "questions.jsonl").read_text().splitlines()]
        assert len(linked) == 3 and len(questions) == 6
        assert {q["doc"] for q in questions} == set(linked)
