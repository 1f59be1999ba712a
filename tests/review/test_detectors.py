"""Learned clause detectors: the data file round trips and is what training on the tune part of
cuad100 writes, a detector vetoes wording that only resembles its clause and keeps the clause itself
(synthetic sentences of each, with a detector trained here on synthetic sentences), imprecise items
read "wording to check", and every labelled clause type gets a cell in `eval review`."""

from __future__ import annotations

import pytest

from assistant.clauses.candidates import load_document
from assistant.clauses.checklist import all_checklists, find_checklist, parse_checklist
from assistant.clauses.detectors import SHIPPED_FILE, Detector, Detectors, features, load_detectors
from assistant.evaluation.detector_training import fit
from assistant.evaluation.review import labelled_checklists, score_review
from assistant.review.engine import PRECISION_BAR, Reviewer
from assistant.review.export import write_review
from assistant.service import Assistant
from assistant.testing import HashEmbedder, ScriptedGenerator
from assistant.types import ReviewStatus
from tests.conftest import SHARED

# CUAD's 25 clause types of the shared clause-presence labels (../shared/eval/cuad100/README.md).
CUAD_TYPES = ["Agreement Date", "Anti-Assignment", "Audit Rights", "Cap On Liability", "Change Of Control",
              "Effective Date", "Exclusivity", "Expiration Date", "Governing Law", "Insurance",
              "Ip Ownership Assignment", "License Grant", "Liquidated Damages", "Minimum Commitment",
              "Most Favored Nation", "Non-Compete", "Notice Period To Terminate Renewal", "Post-Termination Services",
              "Price Restrictions", "Renewal Term", "Source Code Escrow", "Termination For Convenience",
              "Third Party Beneficiary", "Uncapped Liability", "Warranty Duration"]

# Sentences that carry a governing-law clause, and sentences that only share its wording ("governed
# by" a schedule): the detector learns the difference from examples.
LAW = ["This Agreement shall be governed by the laws of the State of {}.",
       "This Agreement is governed by and construed in accordance with the laws of {}.",
       "The laws of the State of {} govern this Agreement and any dispute under it.",
       "This contract shall be interpreted under the laws of the Commonwealth of {}."]
NOT_LAW = ["Deliveries are governed by the shipping schedule in Exhibit {}.",
           "Prices are governed by the price list attached as Schedule {}.",
           "The Supplier shall deliver the goods to the warehouse in {} within ten days.",
           "Each invoice is payable within thirty days of receipt at the office in {}."]
PLACES = ["New York", "Delaware", "Ontario", "England", "Texas", "Bavaria", "Virginia", "Quebec"]


def law_detector(precision: float = 1.0) -> Detectors:
    positives = [features(s.format(p)) for s in LAW for p in PLACES]
    negatives = [features(s.format(p)) for s in NOT_LAW for p in PLACES]
    weights, bias = fit(positives + negatives, [True] * len(positives) + [False] * len(negatives), c=10.0)
    return Detectors({"Governing Law": Detector("Governing Law", weights, bias, 0.5, "both", precision)})


@pytest.fixture
def index_with(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    generator = ScriptedGenerator(respond=lambda messages: "ANSWER: YES\nEXCERPT: 1\nVALUE: NONE")
    assistant = Assistant(tmp_path / "index", embedder=HashEmbedder(), generator=generator)

    def add(name: str, text: str):
        (docs / name).write_text(text)
        assistant.ingest([docs / name])
        return assistant.index.catalog.resolve([name])[0]

    yield assistant, generator, add
    assistant.close()


def test_features_are_words_word_pairs_and_heading_words():
    found = features("The Laws of 2 States.", heading="12. Governing Law")
    assert {"the", "laws", "of", "0", "states", "the laws", "laws of", "of 0", "0 states", "h:governing", "h:law"} == found


def test_detectors_round_trip_and_a_missing_or_broken_file_means_none(tmp_path):
    detectors = law_detector()
    again = Detectors.from_json(detectors.to_json())
    d, e = detectors.by_label["Governing Law"], again.by_label["Governing Law"]
    assert e.threshold == 0.5 and e.mode == "both" and set(e.weights) == {f for f, w in d.weights.items() if round(w, 4)}
    sentence = "This Agreement is governed by the laws of Oregon."
    assert e.probability(sentence) == pytest.approx(d.probability(sentence), abs=1e-3)
    assert again.fingerprint == detectors.fingerprint
    assert law_detector(precision=0.5).fingerprint != detectors.fingerprint
    assert load_detectors(tmp_path / "none.json") is None
    (tmp_path / "bad.json").write_text('{"detectors": {"X": {"mode": "sometimes", "weights": {}}}}')
    assert load_detectors(tmp_path / "bad.json") is None


def test_the_detector_vetoes_wording_that_only_resembles_the_clause(index_with):
    assistant, generator, add = index_with
    clause = add("law.txt", "SUPPLY AGREEMENT\n\n9. LAW\nThis Agreement shall be governed by the laws of the State of "
                            "Oregon.\n")
    lookalike = add("schedule.txt", "SUPPLY AGREEMENT\n\n4. DELIVERY\nDeliveries are governed by the shipping "
                                    "schedule in Exhibit C.\n")
    checklist = find_checklist("procurement-key-terms")
    law = checklist.item("governing-law")
    assert law.signal_in("Deliveries are governed by the shipping schedule in Exhibit C.")  # the signals alone say yes
    reviewer = Reviewer(assistant.index, assistant.retriever(), generator, "scripted", detectors=law_detector())
    found = reviewer.review_item(load_document(assistant.index.catalog, clause), checklist, law)
    assert found.status == ReviewStatus.FOUND and "State of Oregon" in found.evidence[0].quote
    calls = len(generator.calls)
    vetoed = reviewer.review_item(load_document(assistant.index.catalog, lookalike), checklist, law)
    assert vetoed.status == ReviewStatus.NOT_FOUND and "learned detector" in vetoed.reason
    assert len(generator.calls) == calls  # the model was not asked
    # without a detector, the same look-alike goes to the model and is accepted
    plain = Reviewer(assistant.index, assistant.retriever(), generator, "scripted", detectors=None)
    assert plain.review_item(load_document(assistant.index.catalog, lookalike), checklist, law).status == ReviewStatus.FOUND


def test_the_detector_quotes_the_candidate_it_finds_likeliest(index_with):
    assistant, generator, add = index_with
    source_id = add("two.txt", "SUPPLY AGREEMENT\n\n4. DELIVERY\nDeliveries are governed by the shipping schedule "
                               "in Exhibit C and by the laws of physics.\n\n9. LAW\nThis Agreement shall be governed by "
                               "the laws of the State of Oregon.\n")
    checklist = find_checklist("procurement-key-terms")
    reviewer = Reviewer(assistant.index, assistant.retriever(), generator, "scripted", detectors=law_detector())
    cell = reviewer.review_item(load_document(assistant.index.catalog, source_id), checklist,
                                checklist.item("governing-law"))
    assert cell.status == ReviewStatus.FOUND and "State of Oregon" in cell.evidence[0].quote


def test_an_imprecise_item_reads_wording_to_check_in_the_cell_and_the_exports(index_with, tmp_path):
    assistant, generator, add = index_with
    source_id = add("law.txt", "SUPPLY AGREEMENT\n\n9. LAW\nThis Agreement shall be governed by the laws of the State "
                               "of Oregon.\n")
    checklist = parse_checklist("""
[checklist]
id = "broad"
name = "Broad"
version = 1
[[item]]
id = "law"
label = "Law"
question = "Which law governs?"
signals = ['governed by']
verdict = "check"
[[item]]
id = "law2"
label = "Law again"
label_name = "Governing Law"
question = "Which law governs?"
signals = ['governed by']
""")
    reviewer = Reviewer(assistant.index, assistant.retriever(), generator, "scripted",
                        detectors=law_detector(precision=PRECISION_BAR - 0.1))
    cells = {c.item: c for c in reviewer.review(checklist, [source_id])}
    assert cells["law"].status == ReviewStatus.TO_CHECK and "not been measured" in cells["law"].reason
    assert cells["law2"].status == ReviewStatus.TO_CHECK and f"{PRECISION_BAR - 0.1:.0%}" in cells["law2"].reason
    assert cells["law"].evidence and ReviewStatus.TO_CHECK.label == "wording to check"
    text = write_review(tmp_path / "r.md", checklist, list(cells.values())).read_text()
    assert "wording to check" in text and "| found" not in text
    write_review(tmp_path / "r.xlsx", checklist, list(cells.values()))  # a colour for the new status
    precise = Reviewer(assistant.index, assistant.retriever(), generator, "scripted", detectors=law_detector())
    assert {c.item: c for c in precise.review(checklist, [source_id])}["law2"].status == ReviewStatus.FOUND


def test_a_checklist_verdict_must_be_found_or_check():
    from assistant.clauses.checklist import ChecklistError

    with pytest.raises(ChecklistError, match="'verdict' must be one of found, check"):
        parse_checklist('[checklist]\nid = "x"\nname = "X"\nversion = 1\n[[item]]\nid = "a"\nlabel = "A"\n'
                        'question = "Q?"\nverdict = "maybe"\n')


def test_eval_review_gives_every_labelled_clause_type_a_cell():
    labels = [{"doc": "a.pdf", "item": t, "present": False, "spans": []} for t in CUAD_TYPES]
    checklists = labelled_checklists(all_checklists(), labels)
    names = [item.label_name for c in checklists for item in c.items]
    assert sorted(names) == sorted(CUAD_TYPES)  # each once, none left out
    assert all(item.label_name for c in checklists for item in c.items)  # unlabelled items are not reviewed
    lines = [{"doc": "a.pdf", "item": t, "status": "not_found", "value": "", "evidence": []} for t in CUAD_TYPES[:-2]]
    assert score_review(labels, lines).missing == 2


def test_the_shipped_detectors_cover_the_labelled_clause_types():
    detectors = load_detectors()
    assert detectors is not None, f"{SHIPPED_FILE} is missing or malformed"
    labelled = {item.label_name for c in all_checklists() for item in c.items if item.label_name}
    assert set(detectors.by_label) == set(CUAD_TYPES) and set(CUAD_TYPES) <= labelled
    for d in detectors.by_label.values():
        assert 0 < d.threshold < 1 and 0 <= d.precision <= 1 and d.mode in ("signals", "both")


CUAD100 = SHARED / "eval" / "cuad100"
BENCH = SHARED / "bench" / "contracts-100"


@pytest.mark.slow
@pytest.mark.skipif(not (CUAD100 / "contracts.jsonl").is_file() or not BENCH.is_dir(),
                    reason="the cuad100 labels and their contracts are not beside the checkout")
def test_the_shipped_detectors_are_what_training_on_the_tune_part_writes(tmp_path):
    """Regenerates the shipped file from the tune part of cuad100 (the fixed split of
    assistant/evaluation/split.py; the validation part is never trained on). On a difference,
    regenerate it: `clausewise eval split ...` then `clausewise eval train-detectors --corpus
    split/tune/corpus --labels split/tune/clause_presence.jsonl --out assistant/clauses/detectors/detectors.json`."""
    from assistant.evaluation.detector_training import train_on_corpus
    from assistant.evaluation.split import write_split

    write_split(CUAD100, BENCH, tmp_path / "split")
    tune = tmp_path / "split" / "tune"
    detectors, _report = train_on_corpus(tune / "corpus", tune / "clause_presence.jsonl", all_checklists(),
                                         lambda folder: Assistant(folder, embedder=HashEmbedder()))
    assert detectors.to_json() == SHIPPED_FILE.read_text(encoding="utf-8")
