"""The search ranks a document's passages by the clause a question asks about (clauses/ranking.py)."""

import pytest

from assistant.clauses.checklist import all_checklists
from assistant.clauses.detectors import load_detectors
from assistant.clauses.ranking import ClauseRanker

FILLER = "The Supplier shall perform the services with reasonable skill and care and keep the Customer informed. "
SECTIONS = {
    "1. SERVICES": FILLER * 6,
    "2. FEES": "The Customer shall pay the fees within thirty days of invoice. " * 8,
    # mentions liability, but caps nothing: no signal of the item matches
    "3. INSURANCE": "The Supplier's liability insurance applies to its liability to third parties, and the "
                    "insurer's cover applies to every liability claim. " * 5,
    # the clause, in words the question does not use
    "4. REMEDIES": FILLER * 3 + "In no event shall the aggregate liability of either party exceed the fees paid "
                   "in the twelve months preceding the claim. " + FILLER * 2,
    "5. GOVERNING LAW": "This Agreement is governed by the laws of the State of New York. " * 8,
}


def write_contract(tmp_path):
    text = "SUPPLY AGREEMENT between Acme Corp and Globex Inc\n\n" + "\n\n".join(
        f"{heading}\n{body}" for heading, body in SECTIONS.items())
    path = tmp_path / "acme-supply.txt"
    path.write_text(text)
    return path


def test_passages_holding_the_asked_clause_rank_first_and_others_not_at_all(assistant, tmp_path):
    assistant.ingest([write_contract(tmp_path)])
    source_id = assistant.documents()[0].source_id
    ranker = ClauseRanker(assistant.index, all_checklists(), load_detectors())
    ranked = ranker.rank("What limitation of liability applies under the Acme supply agreement?", source_id)
    chunks = assistant.index.catalog.chunks_by_id(ranked)
    assert ranked and "aggregate liability of either party exceed" in chunks[ranked[0]].text
    assert not any("liability insurance" in chunks[cid].text and "aggregate" not in chunks[cid].text
                   for cid in ranked)
    # a question about no clause a checklist knows adds no ranking
    assert ranker.rank("Who signed the Acme supply agreement?", source_id) == []


def test_the_search_puts_the_clause_first_inside_the_document(assistant, tmp_path):
    from assistant.retrieval.hybrid import HybridRetriever

    assistant.ingest([write_contract(tmp_path)])
    question = "What limitation of liability applies under the Acme supply agreement?"
    words_only = HybridRetriever(assistant.index, assistant.embedder).search(question, k=3)
    assert "aggregate liability" not in words_only[0].text  # the question's words rank other passages first
    top = assistant.search(question, k=3)[0]
    assert "aggregate liability of either party exceed" in top.text


@pytest.mark.slow
def test_a_question_naming_no_item_is_mapped_to_the_nearest_one_in_meaning(minilm, tmp_path):
    from assistant.clauses.ranking import NEAREST_ITEM
    from assistant.service import Assistant

    assistant = Assistant(tmp_path / "index", embedder=minilm)
    assistant.ingest([write_contract(tmp_path)])
    ranker = ClauseRanker(assistant.index, all_checklists(), load_detectors(), minilm)
    vector = minilm.embed_query

    def nearest(focused: str) -> list[str]:
        return [item.id for item in ranker.items(f"{focused} under the Acme supply agreement?", vector(focused))]

    assert nearest("Which jurisdiction's law governs") == ["governing-law"]  # names no "governing law"
    assert nearest("How long does the warehouse roof stay painted blue") == []  # near nothing
    # without a vector (a document without MiniLM vectors), only named items count
    assert ranker.items("Which jurisdiction's law governs the Acme supply agreement?") == []
    assert nearest("What license is granted") == ["license-grant"]
    assert 0 < NEAREST_ITEM < 1
    assistant.close()
