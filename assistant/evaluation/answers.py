"""Answer evaluation in the format of the shared eval set: one line per question with the answer,
its citations (and whether each quote is verbatim in the cited page), and the scores the answers
issue defines: gold document and page cited, abstention on unanswerable and answerable questions,
verbatim quotes, and the median time to first token and tokens per second."""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.evaluation.common import load_jsonl


@dataclass(frozen=True)
class AnswerScores:
    answerable: int
    unanswerable: int
    cites_gold_document: float  # answerable questions whose citations include the gold document
    pdf_questions: int
    cites_gold_page: float  # answerable PDF questions citing a gold page
    abstained_unanswerable: float
    abstained_answerable: float  # wrongly
    quotes: int
    quotes_verbatim: float
    median_first_token_seconds: float | None
    median_tokens_per_second: float | None


def _median(values: list[float]) -> float | None:
    values = sorted(values)
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def score_answers(questions: list[dict], lines: dict[str, dict]) -> AnswerScores:
    answerable = [q for q in questions if q.get("answers") and q["id"] in lines]
    unanswerable = [q for q in questions if not q.get("answers") and q["id"] in lines]
    pdf = [q for q in answerable if q.get("answer_pages")]

    def cites_doc(q):
        return any(os.path.basename(c["doc"]) == q["doc"] for c in lines[q["id"]]["citations"])

    def cites_page(q):
        pages = {p for group in q["answer_pages"] for p in group}
        return any(os.path.basename(c["doc"]) == q["doc"] and c["page"] in pages for c in lines[q["id"]]["citations"])

    quotes = [c.get("verbatim", False) for line in lines.values() for c in line["citations"]]
    ran = [line for line in lines.values() if line.get("first_token_seconds") is not None]
    share = lambda items, test: sum(1 for q in items if test(q)) / len(items) if items else 0.0  # noqa: E731
    return AnswerScores(
        answerable=len(answerable), unanswerable=len(unanswerable),
        cites_gold_document=share(answerable, cites_doc), pdf_questions=len(pdf), cites_gold_page=share(pdf, cites_page),
        abstained_unanswerable=share(unanswerable, lambda q: lines[q["id"]]["abstained"]),
        abstained_answerable=share(answerable, lambda q: lines[q["id"]]["abstained"]),
        quotes=len(quotes), quotes_verbatim=sum(quotes) / len(quotes) if quotes else 1.0,
        median_first_token_seconds=_median([line["first_token_seconds"] for line in ran]),
        median_tokens_per_second=_median([line["tokens_per_second"] for line in ran if line.get("tokens_per_second")]),
    )


def answer_line(question: dict, answer, catalog) -> dict:
    """One line of the answers file; extra keys (timings, evidence, what the model wrote) are for tuning."""
    from assistant.grounding.citations import quote_is_verbatim

    citations = []
    for c in answer.citations:
        page = catalog.page(c.source_id, c.page)
        citations.append({"doc": c.doc_name, "page": c.page, "quote": c.quote,
                          "verbatim": bool(page and quote_is_verbatim(c.quote, page.text))})
    return {
        "id": question["id"], "answer": answer.text, "abstained": answer.abstained, "citations": citations,
        "reason": answer.reason, "model_text": answer.model_text, "evidence": answer.evidence.as_dict(),
        "passages": [{"doc": p.doc_name, "page": p.page, "start": p.chunk.start, "end": p.chunk.end}
                     for p in answer.passages],
        "unsupported": answer.unsupported, "quoted": answer.quoted,
        "parts": [{"question": a.question, "abstained": a.abstained, "reason": a.reason, "quoted": a.quoted,
                   "model_text": a.model_text} for a in answer.parts],
        "first_token_seconds": answer.first_token_seconds, "tokens_per_second": answer.tokens_per_second,
    }


def run_answer_eval(corpus: Path, questions_file: Path, out: Path, assistant_factory, index_dir: Path | None = None,
                    limit: int | None = None, progress=None, on_answer=None) -> tuple[AnswerScores, dict]:
    """Index the corpus (into `index_dir` if given and reusable, else a fresh temporary folder),
    answer every question, write one line per question, and score the file."""
    from assistant.types import Answer, Failure

    questions = load_jsonl(questions_file)[:limit]
    facts: dict = {}
    with tempfile.TemporaryDirectory(prefix="clausewise-eval-") as tmp:
        assistant = assistant_factory(index_dir or Path(tmp) / "index")
        began = time.perf_counter()
        reports = assistant.ingest([corpus], progress=progress)
        if getattr(assistant, "fast_embedder", None) is not None:  # score what the collection ends as: full-quality vectors
            assistant.upgrade()
        facts["ingest_seconds"] = time.perf_counter() - began
        facts["failed"] = [r for r in reports if r.status.value == "failed"]
        lines: dict[str, dict] = {}
        began = time.perf_counter()
        with open(out, "w", encoding="utf-8") as handle:
            for q in questions:
                final = None
                for event in assistant.ask(q["question"]):
                    if isinstance(event, (Answer, Failure)):
                        final = event
                if isinstance(final, Failure):
                    from assistant.errors import ClausewiseError

                    raise ClausewiseError(f"Question {q['id']} could not be answered: {final.message}")
                line = answer_line(q, final, assistant.index.catalog)
                lines[q["id"]] = line
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
                handle.flush()
                if on_answer:
                    on_answer(q, line)
        facts["answer_seconds"] = time.perf_counter() - began
        assistant.close()
    return score_answers(questions, lines), facts
