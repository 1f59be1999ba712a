"""The abstention decision (grounding/abstention.py): its features read off a real index, and the
fitted model as data."""

import pytest

from assistant.clauses.checklist import all_checklists
from assistant.clauses.detectors import load_detectors
from assistant.clauses.presence import items_asked
from assistant.grounding.abstention import FEATURES, AbstentionModel, Signs, load_model, signs
from assistant.service import Assistant
from assistant.testing import ScriptedGenerator

SUPPLY = """SUPPLY AGREEMENT between Northwind Components Ltd and Harbour Tools GmbH.
1. TERM
1.1 The term is three (3) years.
2. AUDIT
2.1 The Buyer may audit the Supplier's books and records once a year on thirty (30) days' notice.
3. GOVERNING LAW
3.1 This Supply Agreement is governed by the laws of Ireland.
"""


@pytest.fixture
def library(tmp_path, hash_embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "northwind.txt").write_text(SUPPLY)
    for n in range(12):  # so that "audit" is not common to the passages (presence.COMMON_SHARE)
        (docs / f"order-{n}.txt").write_text(f"PURCHASE ORDER {n}. The buyer orders {n + 2} pallets of copper wire.")
    assistant = Assistant(tmp_path / "index", embedder=hash_embedder, generator=ScriptedGenerator())
    assistant.ingest([docs])
    yield assistant
    assistant.close()


def read(assistant, question):
    catalog = assistant.index.catalog
    passages = assistant.search(question, k=3)
    about = [d.source_id for d in catalog.documents() if d.name == "northwind.txt"]
    asked = items_asked(catalog, question, all_checklists(), about)
    return signs(catalog, question, about, passages, asked, load_detectors(), [])


def test_signs_of_a_clause_the_document_has_and_of_one_it_lacks(library):
    audit = read(library, "How often may the buyer audit the books?")
    assert audit.asks_clause == 1.0 and audit.signal == 1.0 and audit.subject >= 0.5
    escrow = read(library, "Which escrow agent holds the source code?")
    assert escrow.asks_clause == 1.0 and escrow.signal == 0.0 and escrow.detector == 0.0
    assert 0.0 <= escrow.dense <= 1.0 and escrow.subject < audit.subject


def test_the_model_is_data_and_abstains_below_its_threshold():
    model = AbstentionModel({"signal": 4.0, "subject": 2.0}, -3.0, 0.5, "test")
    again = AbstentionModel.from_json(model.to_json())
    assert again == model
    lacking = Signs(asks_clause=1.0, signal=0.0, detector=0.0, read=0.1, dense=0.3, subject=0.2)
    having = Signs(asks_clause=1.0, signal=1.0, detector=0.0, read=0.1, dense=0.3, subject=0.8)
    assert model.abstains(lacking) and not model.abstains(having)
    assert model.probability(having) > model.probability(lacking)


def test_the_shipped_model_names_every_feature_and_a_threshold_in_range():
    model = load_model()
    assert set(model.weights) == set(FEATURES) and 0.0 < model.threshold < 1.0 and model.trained_on
