"""Routing (assistant/retrieval/routing.py): which documents a question is searched again inside."""

import pytest

from assistant.retrieval.routing import document_mass, name_scores, named_document, route

OPENINGS = {
    "acme": {"supply", "agreement", "acme", "corporation", "globex", "parties", "this"},
    "initech": {"supply", "agreement", "initech", "umbrella", "parties", "this"},
    "hooli": {"license", "agreement", "hooli", "piedpiper", "parties"},
}


def test_a_question_names_the_document_whose_opening_holds_its_rare_words():
    scores = name_scores("Can the Acme / Globex supply agreement be assigned?", OPENINGS)
    assert named_document(scores) == "acme"
    # "supply" names two documents and "agreement" all three: each counts less than a party name.
    assert scores["acme"] > scores["initech"] > scores["hooli"]


def test_a_question_naming_no_document_names_none():
    scores = name_scores("What notice must be given to terminate?", OPENINGS)
    assert named_document(scores) is None
    # Words every opening holds do not single one out either.
    assert named_document(name_scores("Which agreement has parties?", OPENINGS)) is None


def test_two_documents_of_the_same_parties_are_not_told_apart_by_name():
    openings = {"2011": {"aig", "capital", "maintenance", "2011"}, "2014": {"aig", "capital", "maintenance", "2014"}}
    scores = name_scores("What is the governing law of the AIG capital maintenance agreement?", openings)
    assert named_document(scores) is None
    assert named_document(name_scores("What law governs the 2014 AIG capital maintenance agreement?", openings)) == "2014"


def test_the_document_with_most_mass_is_routed_even_without_a_clear_share():
    """Clause words pull in passages of every contract: no document holds a fifth of the mass,
    and the question used to be routed nowhere."""
    mass = {f"doc{i}": 1.0 + i / 100 for i in range(10)}
    assert route(mass, None, share=0.2, limit=2) == ["doc9"]
    assert route(mass, "doc3", share=0.2, limit=2) == ["doc3", "doc9"]
    assert route({"a": 5.0, "b": 4.0, "c": 1.0}, None, share=0.2, limit=2) == ["a", "b"]
    assert route({"a": 5.0, "b": 4.0}, "a", share=0.2, limit=1) == ["a"]
    assert route(mass, None, share=0.2, limit=0) == [] and route({}, "x", share=0.2, limit=2) == []


def test_a_documents_mass_counts_its_best_passages_only():
    fused = [("a1", 0.5), ("b1", 0.4), ("a2", 0.3), ("a3", 0.2), ("a4", 0.1)]
    source_of = {"a1": "A", "a2": "A", "a3": "A", "a4": "A", "b1": "B"}
    assert document_mass(fused, source_of, top=2) == pytest.approx({"A": 0.8, "B": 0.4})


PARTIES = [("Zephyr", "Quorra"), ("Argent", "Bellwether"), ("Corvid", "Dunmore"), ("Elston", "Farrow"),
           ("Garnet", "Holloway"), ("Ingram", "Juniper")]


@pytest.fixture
def contracts(assistant, tmp_path):
    """Six supply agreements of the same shape: the clause words of a question are in all of
    them, and only the parties tell them apart."""
    for seller, buyer in PARTIES:
        (tmp_path / f"{seller.lower()}.txt").write_text(
            f"SUPPLY AGREEMENT\nThis Supply Agreement is made between {seller} Inc. and {buyer} LLC.\n\n"
            f"1. Delivery\n{seller} delivers the goods to {buyer} within thirty days of each order.\n\n"
            f"2. Limitation of Liability\nThe liability of {seller} under this agreement is limited to the "
            f"fees paid by {buyer} in the twelve months before the claim.\n\n"
            f"3. Governing Law\nThis agreement is governed by the laws of the State of New York.\n")
    assistant.ingest(sorted(tmp_path.glob("*.txt")))
    return assistant


def test_a_question_naming_one_of_many_similar_contracts_is_routed_to_it(contracts):
    result = contracts.retriever().retrieve("What limitation of liability applies under the Garnet / Holloway "
                                            "supply agreement?", k=5)
    garnet = next(d.source_id for d in contracts.documents() if d.name == "garnet.txt")
    assert result.routed[0] == garnet
    assert result.hits[0].doc_name == "garnet.txt" and "Limitation of Liability" in result.hits[0].text


def test_a_question_naming_no_contract_is_not_routed_by_name(contracts):
    """No opening holds a word of it that the others lack, so no document is named; the fused
    score alone routes it."""
    identities = {d.source_id: contracts.retriever()._identity(d.source_id) for d in contracts.documents()}
    assert named_document(name_scores("Which law governs?", identities)) is None
    assert named_document(name_scores("Which law governs the Elston / Farrow supply agreement?", identities)) == \
        next(d.source_id for d in contracts.documents() if d.name == "elston.txt")


def test_a_word_in_most_of_a_documents_passages_is_left_out_of_the_search_inside_it(assistant, tmp_path):
    """'sponsorship' is in every clause of this sponsorship agreement but not in its opening: it
    cannot tell the clauses apart, while 'expire' (one clause) and 'terminate' stay."""
    filler = "The sponsor shall display the marks at each event in the manner the sponsorship plan sets out. " * 6
    opening = "1. Marks\n" + filler.replace("sponsorship", "event") * 3  # the opening: no "sponsorship"
    clauses = [opening] + [f"{n}. Clause {n}\nUnder this sponsorship, {filler}" for n in range(2, 6)]
    clauses.append("6. Term\nThis agreement shall expire on 31 December 2027 unless the parties terminate it "
                   "earlier. " + filler.replace("sponsorship", "event"))
    (tmp_path / "zephyr.txt").write_text("AGREEMENT between Zephyr Inc. and Quorra LLC.\n\n" + "\n\n".join(clauses))
    assistant.ingest([tmp_path / "zephyr.txt"])
    retriever = assistant.retriever()
    zephyr = assistant.documents()[0].source_id
    assert len(assistant.index.catalog.chunk_ids(zephyr)) >= 4
    assert retriever.focus_query("When does the Zephyr sponsorship agreement expire?", zephyr) == "expire"
    assert retriever.focus_query("Can either party terminate the Zephyr agreement early?", zephyr) == \
        "either party terminate early"
    # Only common words: they are kept rather than searching for nothing.
    assert retriever.focus_query("What sponsorship marks?", zephyr) == "sponsorship marks"


def test_initials_of_a_run_of_capitalised_words_name_a_party_or_document():
    from assistant.retrieval.routing import acronyms, written_acronyms

    found = acronyms("SUPPLY AGREEMENT between Procter & Gamble Company and General Electric Co. (the Data "
                     "Processing Addendum)")
    assert {"pg", "pgc", "ge", "gec", "dpa"} <= found
    assert "cap" not in found and all(2 <= len(a) <= 5 for a in found)
    # Only initials the user wrote in capitals are matched; "cap" in lower case is a word.
    assert written_acronyms("Is the cap in the GE deal or the P&G DPA?") == {"ge", "pg", "dpa"}
