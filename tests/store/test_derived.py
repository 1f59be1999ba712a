"""Facts derived from stored pages are kept by their index: bounded, forgotten with the document."""

from assistant.grounding.running_lines import running_lines
from assistant.store.derived import DerivedFacts


def test_a_fact_is_computed_once_and_the_oldest_goes_past_the_limit():
    facts, calls = DerivedFacts(limit=2), []

    def compute(value):
        calls.append(value)
        return value

    assert facts.get("k", "a", lambda: compute(1)) == 1
    assert facts.get("k", "a", lambda: compute(99)) == 1 and calls == [1]
    facts.get("k", "b", lambda: compute(2))
    facts.get("k", "c", lambda: compute(3))  # "a" is the least recently used: it goes
    assert facts.get("k", "a", lambda: compute(4)) == 4 and calls == [1, 2, 3, 4]


def test_the_index_forgets_a_removed_documents_facts(assistant, tmp_path):
    page = "Acme Ltd confidential\n{}\nPage {}"
    (tmp_path / "a.txt").write_text("\f".join(page.format("The term is two years.", n) for n in range(1, 5)))
    assistant.ingest([tmp_path / "a.txt"])
    source_id = assistant.documents()[0].source_id
    running_lines(assistant.index, source_id)
    assert ("running-lines", source_id) in assistant.index.derived._facts
    assistant.remove("a.txt")
    assert ("running-lines", source_id) not in assistant.index.derived._facts
