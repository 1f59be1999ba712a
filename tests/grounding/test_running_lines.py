"""Running headers and footers: found from a real indexed PDF, left out of the prompt, and never
shown as an answer when a model copies one."""

from assistant.grounding.running_lines import line_key, running_lines, without_running_lines
from assistant.testing import ScriptedGenerator
from tests.docmaker import write_pdf

FOOTER = "Source: ACME HOLDINGS INC, 10-Q, 8/1/2018"


def clause_pages():
    clauses = ["1. Supplier shall deliver the goods within thirty (30) days of each order.",
               "2. Buyer shall pay each invoice within sixty (60) days of receipt.",
               "3. This Agreement is governed by the laws of the State of Delaware.",
               "4. Supplier shall maintain product liability insurance of USD 5,000,000."]
    return [["SUPPLY AGREEMENT between Acme Holdings Inc and Beta Retail Ltd", clause, str(n), FOOTER]
            for n, clause in enumerate(clauses, start=1)]


def test_lines_repeated_at_page_edges_are_running_lines(assistant, tmp_path):
    assistant.ingest([write_pdf(tmp_path / "supply.pdf", clause_pages())])
    doc = assistant.documents()[0]
    keys = running_lines(assistant.index, doc.source_id)
    assert line_key(FOOTER) in keys and "#" in keys  # the footer, and the page numbers
    assert line_key("SUPPLY AGREEMENT between Acme Holdings Inc and Beta Retail Ltd") in keys
    assert not any("delaware" in key for key in keys)
    page = assistant.index.catalog.page(doc.source_id, 3).text
    assert without_running_lines(page, keys).strip() == "3. This Agreement is governed by the laws of the State of Delaware."


def test_the_model_is_not_shown_running_lines_and_copying_one_is_not_an_answer(tmp_path, hash_embedder):
    from assistant.service import Assistant

    write_pdf(tmp_path / "supply.pdf", clause_pages())
    generator = ScriptedGenerator(script='{"quote": "", "answer": "ACME HOLDINGS INC, 10-Q, 8/1/2018"}')
    assistant = Assistant(tmp_path / "index", embedder=hash_embedder, generator=generator)
    assistant.ingest([tmp_path / "supply.pdf"])
    answer = list(assistant.ask("Which law governs the Acme supply agreement?"))[-1]
    prompt = generator.calls[0][-1]["content"]
    assert "Delaware" in prompt and "10-Q" not in prompt
    # A copied running line backs nothing (no sentence holds "10-Q"): the clause is shown alone.
    assert not answer.abstained and answer.quoted and "10-Q" not in answer.text
    assert answer.citations and "10-Q" not in answer.citations[0].quote
    assistant.close()
