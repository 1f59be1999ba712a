"""Answer evaluation in the format of the shared eval set: one line per question with the answer,
its citations (and whether each quote is verbatim in the cited page), and the scores the answers
issue defines: gold document and page cited, abstention on unanswerable and answerable questions,
verbatim quotes, and the median time to first token and tokens per second.

And what the answer itself says (the natural questions' `key_facts` and `parts`): whether it
states every key fact, whether the text it cites covers a gold span (the reference scorer's
overlap rule), whether every part of a two-part question is answered, and three faults a reviewer
sees at once: a quote cut inside a sentence, a prompt label echoed into the text, and a statement
whose numbers or names its quotes lack."""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from assistant.evaluation.common import load_jsonl, normalise
from assistant.evaluation.retrieval import span_hit


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
    median_single_answer_seconds: float | None = None  # a whole answer to a one-part question
    with_key_facts: int = 0
    key_facts_stated: float = 0.0  # questions with key facts whose answer states every one
    clause_covered: float = 0.0  # answerable questions whose cited text covers a gold span
    two_part: int = 0
    every_part_answered: float = 0.0
    answers_cut: int = 0  # answers quoting a sentence cut short
    labels_echoed: int = 0  # answers holding a prompt label ("Name, p. 2:")
    unsupported_statements: int = 0  # statements with a number or name their quotes lack


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
    facts = [q for q in answerable if q.get("key_facts")]
    two_part = [q for q in answerable if q.get("parts")]
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
        median_single_answer_seconds=_median([lines[q["id"]]["answer_seconds"] for q in questions
                                              if q["id"] in lines and not q.get("parts")
                                              and lines[q["id"]].get("answer_seconds") is not None]),
        with_key_facts=len(facts),
        key_facts_stated=share(facts, lambda q: all(states(lines[q["id"]], f) for f in q["key_facts"])),
        clause_covered=share(answerable, lambda q: covers(lines[q["id"]], q, q["answers"])),
        two_part=len(two_part), every_part_answered=share(two_part, lambda q: all_parts_answered(lines[q["id"]], q)),
        answers_cut=sum(1 for line in lines.values() if any(c.get("cut") for c in line["citations"])),
        labels_echoed=sum(1 for line in lines.values() if line.get("echoed")),
        unsupported_statements=sum(1 for line in lines.values() if line.get("unsupported_claims")),
    )


def states(line: dict, forms: list[str]) -> bool:
    """The answer states the fact in one of its forms, with no letter or digit either side."""
    if line["abstained"]:
        return False
    text = normalise(line["answer"])
    for form in forms:
        pattern = rf"(?<![0-9a-z]){re.escape(normalise(form))}(?![0-9a-z])"
        if re.search(pattern, text):
            return True
    return False


def covers(line: dict, question: dict, spans: list[str]) -> bool:
    """The text cited from the gold document covers one of `spans` (the reference overlap rule)."""
    if line["abstained"]:
        return False
    cited = " ".join(normalise(c["quote"]) for c in line["citations"]
                     if os.path.basename(c["doc"]) == question["doc"])
    return bool(cited) and any(span_hit(cited, normalise(span)) for span in spans)


def all_parts_answered(line: dict, question: dict) -> bool:
    """Every part is answered: its key fact stated, or one of its spans covered by what is cited."""
    facts = question.get("key_facts") or []
    for i, spans in enumerate(question["parts"]):
        fact = facts[i] if len(facts) == len(question["parts"]) else None
        if not ((fact and states(line, fact)) or covers(line, question, spans)):
            return False
    return True


# The prompt's passage label, "[1] Name, p. 3:", or pieces of it ("p [1]. 2:", "Question:").
_LABEL = re.compile(r",\s*p\.?\s*(?:\[\d+\]\s*\.?\s*)?\d+\s*:|\b(?:Question|Passages)\s*:")


def echoes_labels(text: str) -> bool:
    return bool(_LABEL.search(text))


def is_cut(quote: str, start: int, end: int, page_text: str) -> bool:
    """A quote that starts or ends inside a sentence: a letter or digit runs on past either end,
    or it ends on neither a stop nor a line end."""
    if start > 0 and page_text[start - 1].isalnum() or end < len(page_text) and page_text[end].isalnum():
        return True
    rest = page_text[end:end + 2]
    return not (quote.rstrip()[-1:] in ".;:!?\"”’)" or rest[:1] in ("\n", "") or rest.startswith(" \n"))


def answer_line(question: dict, answer, catalog) -> dict:
    """One line of the answers file; extra keys (timings, evidence, what the model wrote) are for tuning."""
    from assistant.grounding.citations import quote_is_verbatim

    citations = []
    for c in answer.citations:
        page = catalog.page(c.source_id, c.page)
        citations.append({"doc": c.doc_name, "page": c.page, "quote": c.quote,
                          "verbatim": bool(page and quote_is_verbatim(c.quote, page.text)),
                          "cut": bool(page) and is_cut(c.quote, c.start, c.end, page.text)})
    return {
        "id": question["id"], "answer": answer.text, "abstained": answer.abstained, "citations": citations,
        "reason": answer.reason, "model_text": answer.model_text, "evidence": answer.evidence.as_dict(),
        "passages": [{"doc": p.doc_name, "page": p.page, "start": p.chunk.start, "end": p.chunk.end}
                     for p in answer.passages],
        "unsupported": answer.unsupported, "quoted": answer.quoted,
        "parts": [{"question": a.question, "abstained": a.abstained, "reason": a.reason, "quoted": a.quoted,
                   "model_text": a.model_text} for a in answer.parts],
        "first_token_seconds": answer.first_token_seconds, "tokens_per_second": answer.tokens_per_second,
        "echoed": echoes_labels(answer.text), "unsupported_claims": unsupported_claims(answer, catalog),
    }


def unsupported_claims(answer, catalog) -> list[str]:
    """Per statement (a checked sentence that is not itself a quote), the numbers, months and
    names it asserts that the evidence shown with it does not hold: the sentences it cites and
    their places ("clause 14.8 Notices"), as the answer prints them."""
    from assistant.grounding.subject import document_identity
    from assistant.grounding.statement import claims

    known = frozenset(document_identity(catalog, answer.passages)) if answer.passages else frozenset()
    found = []
    shown = " ".join(check.text for check in answer.sentences if "“" in check.text)  # the quotes and their places
    for check in answer.sentences:
        text = re.sub(r"\[\d+\]", "", check.text)
        if not check.citations or "“" in text:
            continue
        missing = claims(text, answer.question, known).missing_from(" ".join(c.quote for c in check.citations) + " " + shown)
        found += [str(n) for n in missing.numbers] + sorted(missing.months) + sorted(missing.names)
    return found


def run_answer_eval(corpus: Path | Sequence[Path], questions_file: Path, out: Path, assistant_factory, index_dir: Path | None = None,
                    limit: int | None = None, progress=None, on_answer=None) -> tuple[AnswerScores, dict]:
    """Index the corpus (into `index_dir` if given and reusable, else a fresh temporary folder),
    answer every question, write one line per question, and score the file."""
    from assistant.types import Answer, Failure

    questions = load_jsonl(questions_file)[:limit]
    facts: dict = {}
    with tempfile.TemporaryDirectory(prefix="clausewise-eval-") as tmp:
        assistant = assistant_factory(index_dir or Path(tmp) / "index")
        began = time.perf_counter()
        folders = [corpus] if isinstance(corpus, (str, Path)) else list(corpus)
        reports = assistant.ingest(folders, progress=progress)
        if getattr(assistant, "fast_embedder", None) is not None:  # score what the collection ends as: full-quality vectors
            assistant.upgrade()
        facts["ingest_seconds"] = time.perf_counter() - began
        facts["failed"] = [r for r in reports if r.status.value == "failed"]
        lines: dict[str, dict] = {}
        began = time.perf_counter()
        with open(out, "w", encoding="utf-8") as handle:
            for q in questions:
                final = None
                asked = time.perf_counter()
                for event in assistant.ask(q["question"]):
                    if isinstance(event, (Answer, Failure)):
                        final = event
                if isinstance(final, Failure):
                    from assistant.errors import ClausewiseError

                    raise ClausewiseError(f"Question {q['id']} could not be answered: {final.message}")
                line = answer_line(q, final, assistant.index.catalog)
                line["answer_seconds"] = round(time.perf_counter() - asked, 3)  # the whole answer, as the user waits
                lines[q["id"]] = line
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
                handle.flush()
                if on_answer:
                    on_answer(q, line)
        facts["answer_seconds"] = time.perf_counter() - began
        assistant.close()
    return score_answers(questions, lines), facts
