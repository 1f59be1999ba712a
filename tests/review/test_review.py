"""Document review: checklist files validated, the engine's statuses, evidence and values with a
judge that reads the excerpts, caching by document hash and checklist version, cancel, exports
read back (openpyxl for XLSX)."""

from __future__ import annotations

import csv
import dataclasses
import re
import threading

import pytest

from assistant.types import ReviewStatus
from assistant.clauses.checklist import (ChecklistError, all_checklists, available, find_checklist, load_checklist,
                                       parse_checklist)
from assistant.review.engine import parse_reply, verified_value
from assistant.review.export import write_review
from assistant.service import Assistant
from assistant.testing import HashEmbedder, ScriptedGenerator

SUPPLY = """MASTER SUPPLY AGREEMENT
This Master Supply Agreement is made on March 3, 2021 between Acme Tools Inc. and Beta Retail Ltd.

1. TERM
1.1 The initial term of this Agreement is three (3) years from the Effective Date.
1.2 This Agreement shall renew automatically for successive one (1) year periods unless either party gives ninety (90) days written notice of non-renewal.

2. GOVERNING LAW
2.1 This Agreement shall be governed by the laws of the State of California.

3. LIABILITY
3.1 In no event shall either party's aggregate liability exceed the fees paid in the twelve (12) months before the claim.

4. MISCELLANEOUS
4.1 Neither party may assign this Agreement without the prior written consent of the other party.
4.2 The parties shall meet each quarter to review the forecast.
"""

SERVICES = """CONSULTING SERVICES AGREEMENT
This Consulting Agreement is made between Gamma Advisory LLC and Delta Foods Inc.
1. The consultant shall provide advice on logistics.
2. This Agreement is governed by the laws of England and Wales.
"""

KEY_WORDS = {"Governing law": "governed by", "Renewal term": "renew", "Cap on liability": "liability",
             "Anti-assignment": "assign", "Expiration date": "initial term", "Parties": "between",
             "Exclusivity": "exclusive"}


def judge(messages):
    """A stand-in judge that reads what it is given: YES for the first excerpt holding the clause's
    key words, with a value copied from it; NO otherwise."""
    prompt = messages[-1]["content"]
    clause = re.search(r"^Clause: (.+)$", prompt, re.M).group(1)
    excerpts = re.findall(r"^\[(\d+)\] \(page \d+\) (.+)$", prompt, re.M)
    wanted = KEY_WORDS.get(clause)
    for number, text in excerpts:
        if wanted and wanted in text.lower():
            value = re.search(r"(State of \w+|\(\d+\) \w+|England and Wales)", text)
            return f"ANSWER: YES\nEXCERPT: {number}\nVALUE: {value.group(1) if value else 'NONE'}"
    return "ANSWER: NO\nEXCERPT: NONE\nVALUE: NONE"


@pytest.fixture
def reviewed(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "supply.txt").write_text(SUPPLY)
    generator = ScriptedGenerator(respond=judge)
    assistant = Assistant(tmp_path / "index", embedder=HashEmbedder(), generator=generator)
    assistant.ingest([docs / "supply.txt"])
    yield assistant, generator, docs
    assistant.close()


def cells_by_item(cells):
    return {c.item: c for c in cells}


def review_text(reviewed, name: str, text: str) -> dict:
    """Index one more text document and review it with the procurement checklist, cells by item."""
    assistant, _, docs = reviewed
    (docs / name).write_text(text)
    assistant.ingest([docs / name])
    return cells_by_item(assistant.review(find_checklist("procurement-key-terms"), documents=[name]))


# Checklist files

GOOD = """
[checklist]
id = "mine"
name = "My checks"
version = 2

[[item]]
id = "law"
label = "Governing law"
question = "Which law governs?"
signals = ['governed by']
value = "place"
"""


def test_the_shipped_checklists_load_with_their_items():
    gdpr = find_checklist("gdpr-art28")
    keys = find_checklist("procurement-key-terms")
    assert len(gdpr.items) == 12 and gdpr.requires
    assert {"documented-instructions", "deletion-or-return", "audits", "breach-notification"} <= {i.id for i in gdpr.items}
    assert len(keys.items) == 19
    assert keys.item("governing-law").label_name == "Governing Law" and keys.item("governing-law").value == "place"
    assert all(item.signals and item.definition for item in keys.items + gdpr.items)
    clauses = find_checklist("contract-clauses")
    assert {"non-compete", "most-favored-nation", "source-code-escrow", "joint-ip-ownership"} <= {i.id for i in clauses.items}
    assert all(item.signals and item.definition and item.label_name for item in clauses.items)
    assert clauses.item("non-disparagement").signal_in("Neither party shall disparage the other.")


def test_a_question_names_an_item_by_its_label_or_a_hint():
    items = find_checklist("procurement-key-terms")
    assert items.item("audit-rights").terms_in("How often may the buyer AUDIT the books?") == ["audit"]
    assert items.item("governing-law").terms_in("Which law governs?") == []
    assert items.item("insurance").terms_in("What insurance cover is required?") == ["Insurance", "insurance"]
    # Where a hint is too generic to name the clause in a question, `asked_by` says what does.
    breach = find_checklist("gdpr-art28").item("breach-notification")
    assert "hours" in breach.hints and breach.terms_in("What are the support hours?") == []
    assert breach.terms_in("How soon must a personal data breach be notified?") == ["personal data breach", "data breach"]
    assert items.item("liquidated-damages").terms_in("What penalty applies for late payment?") == []


def test_a_broken_user_checklist_does_not_stop_the_others_loading(tmp_path):
    (tmp_path / "mine.toml").write_text(GOOD)
    (tmp_path / "broken.toml").write_text("[checklist\nid=")
    ids = {c.id for c in all_checklists(tmp_path)}
    assert {"mine", "gdpr-art28", "procurement-key-terms", "contract-clauses"} <= ids and "broken" not in ids


@pytest.mark.parametrize("broken, named", [
    (GOOD.replace('version = 2', 'version = "two"'), "'version'"),
    (GOOD.replace('question = "Which law governs?"\n', ''), "'question'"),
    (GOOD.replace('value = "place"', 'value = "colour"'), "'value'"),
    (GOOD.replace("signals = ['governed by']", "signals = ['governed (by']"), "'signals'"),
    (GOOD.replace('label = "Governing law"', 'label = "Governing law"\nweight = 3'), "'weight'"),
    (GOOD + '\n[[item]]\nid = "law"\nlabel = "Again"\nquestion = "Again?"\n', "'law' is used twice"),
    (GOOD.replace('id = "law"', 'id = "Law Item"'), "'id'"),
    (GOOD.replace('value = "place"', 'value = "place"\nevidence = "last"'), "'evidence'"),
    ("[checklist\nid=", "not valid TOML"),
])
def test_a_bad_checklist_names_the_bad_key(broken, named):
    with pytest.raises(ChecklistError) as error:
        parse_checklist(broken, where="mine.toml")
    assert named in str(error.value) and "mine.toml" in str(error.value)


# Wording that has a clause's words without being the clause (CUAD's definitions decide).
NOT_THE_CLAUSE = [
    # neither a written date nor a day/month/year: a version number or a fraction is no date
    ("agreement-date", "Version 1.2/3 of the schedule applies to the fees."),
    ("agreement-date", "Payment is due within 30 days of the invoice date."),
    ("termination-for-convenience", "Should this Agreement be terminated by either party for any reason, the "
                                    "obligations of the parties set forth herein will survive any termination."),
    ("termination-for-convenience", "If a party is prevented from performing by any cause beyond such party's "
                                    "control for two months, either party may terminate this Agreement at any "
                                    "time by giving thirty (30) days' notice."),
    ("exclusivity", "This Agreement is intended for the sole and exclusive benefit of the Parties hereto."),
    ("exclusivity", "The Agreement completely and exclusively states the agreement of the Parties."),
    ("exclusivity", "Consultant shall assign to the Company the sole and exclusive right, title, and interest in "
                    "and to all Inventions."),
    ("change-of-control", "Upon expiration of this Agreement or termination by either party, the Distributor may "
                          "sell off any remaining inventory acquired prior to termination."),
    ("change-of-control", "All goodwill shall vest in the Licensor as such acquisition of goodwill occurs and at "
                          "the expiration or termination of this Agreement."),
    ("post-termination-services", "Following the expiry of this period, the non-breaching party may exercise "
                                  "any rights it has."),    ("expiration-date", "The invoice from 2019 was paid in full."),
    ("renewal-term", "The Supplier shall remain in compliance with all laws and thereafter provide a report."),
    ("warranty-duration", "Payment is due within (30) days of invoice."),
    ("audit-rights", "The Buyer shall inspect the goods on delivery."),
    ("change-of-control", "Changes in the delivery schedule are within the Buyer's control."),
    ("exclusivity", "The Agent will not use any other carrier without the Company's consent."),
]
THE_CLAUSE = [
    # a cover page or date line states the date without "dated" or "made"
    ("agreement-date", "EXCLUSIVE DISTRIBUTOR AGREEMENT June 8, 2010"),
    ("agreement-date", "Date: 03/24/06"),
    ("termination-for-convenience", "Either party may terminate this Agreement for convenience upon ninety (90) "
                                    "days' written notice."),
    ("termination-for-convenience", "After the first year and upon 180 days written notice, Reseller may "
                                    "terminate the AMC."),
    ("exclusivity", "The Manufacturer hereby appoints the Customer as its sole and exclusive agent for the "
                    "Products."),
    ("change-of-control", "Licensor may terminate this Agreement if Licensee is acquired by a competitor of "
                          "Licensor."),
    ("post-termination-services", "Upon expiration of this Agreement, Supplier shall provide transition "
                                  "assistance for ninety days."),    # wordings of unseen contracts that name no term of the clause (cuad100's tuning part)
    ("expiration-date", "Unless earlier terminated, this Agreement shall continue indefinitely."),
    ("expiration-date", "Services under the first phase run 10 weeks from March 1, 2019 to May 10, 2019."),
    ("renewal-term", "This Agreement shall remain in full force and effect thereafter until terminated by either "
                     "party on sixty days' notice."),
    ("renewal-term", "The license continues from year to year unless cancelled."),
    ("warranty-duration", "Any claim under this warranty must be made within (60) days from delivery."),
    ("audit-rights", "The Distributor shall have the right to inspect the Supplier's plant during business hours."),
    ("change-of-control", "If there is any material change in the ownership, management or control of the "
                          "Reseller, the Vendor may terminate this Agreement."),
    ("change-of-control", "Licensor may terminate if Licensee holds less than 40% of the voting control of the "
                          "Company."),
    ("exclusivity", "The Agent will not represent any other manufacturer whose products are competitive with the "
                    "Products."),
]
CONTRACT_CLAUSES = [  # (item, sentence, is the clause)
    ("rofr-rofo-rofn", "Before selling the Property to others, the Owner shall first offer it to the Tenant on the "
                       "same terms.", True),
    ("rofr-rofo-rofn", "The parties shall first attempt to resolve any dispute informally.", False),
    ("revenue-profit-sharing", "Net profits of the venture shall be divided equally between the parties.", True),
    ("revenue-profit-sharing", "Products shall be distributed in the Territory by the Distributor.", False),
    ("revenue-profit-sharing", "The referral fee is 2.5% of the value of each order placed.", True),
    ("revenue-profit-sharing", "Late payments bear interest at 1.5% per month.", False),
]


def test_padded_white_space_does_not_hide_a_change_of_control():
    item = find_checklist("procurement-key-terms").item("change-of-control")
    assert item.signal_in("Upon any change in the organization,      ownership or control of the Agent, the Company "
                          "may terminate.")
    assert not item.signal_in("Changes in the   delivery schedule   are within the Buyer's control.")


@pytest.mark.parametrize("item_id, sentence", NOT_THE_CLAUSE)
def test_wording_that_is_not_the_clause_is_no_candidate(item_id, sentence):
    assert not find_checklist("procurement-key-terms").item(item_id).signal_in(sentence)


@pytest.mark.parametrize("item_id, sentence", THE_CLAUSE)
def test_the_clause_itself_is_a_candidate(item_id, sentence):
    assert find_checklist("procurement-key-terms").item(item_id).signal_in(sentence)


@pytest.mark.parametrize("item_id, sentence, is_clause", CONTRACT_CLAUSES)
def test_a_contract_clause_is_a_candidate_and_look_alike_wording_is_not(item_id, sentence, is_clause):
    assert bool(find_checklist("contract-clauses").item(item_id).signal_in(sentence)) is is_clause


def test_a_users_checklist_is_found_in_their_folder(tmp_path):
    (tmp_path / "mine.toml").write_text(GOOD)
    assert set(available(tmp_path)) >= {"mine", "gdpr-art28", "procurement-key-terms"}
    mine = find_checklist("mine", user_dir=tmp_path)
    assert mine.version == 2 and mine.item("law").signal_in("This is governed by French law.")
    assert load_checklist(tmp_path / "mine.toml").name == "My checks"
    with pytest.raises(ChecklistError, match="no checklist called 'nope'"):
        find_checklist("nope", user_dir=tmp_path)


# The engine

def test_found_cells_carry_a_verified_quote_and_a_value_the_quote_holds(reviewed):
    assistant, generator, _ = reviewed
    checklist = find_checklist("procurement-key-terms")
    cells = cells_by_item(assistant.review(checklist))
    law = cells["governing-law"]
    assert law.status == ReviewStatus.FOUND and law.value == "State of California"
    [quote] = law.evidence
    assert quote.verified and quote.page == 1 and "governed by the laws of the State of California" in quote.quote
    page = assistant.index.catalog.page(law.source_id, 1).text
    assert " ".join(page[quote.start:quote.end].split()) == quote.quote
    renewal = cells["renewal-term"]
    assert renewal.status == ReviewStatus.FOUND and renewal.value == "(1) year" and "successive" in renewal.evidence[0].quote
    assert cells["anti-assignment"].status == ReviewStatus.FOUND


def test_no_matching_wording_is_not_found_without_asking_the_model(reviewed):
    assistant, generator, _ = reviewed
    checklist = find_checklist("procurement-key-terms")
    cells = cells_by_item(assistant.review(checklist))
    for item in ("insurance", "liquidated-damages", "audit-rights", "change-of-control"):
        assert cells[item].status == ReviewStatus.NOT_FOUND and not cells[item].evidence and cells[item].reason
    asked = {re.search(r"^Clause: (.+)$", call[-1]["content"], re.M).group(1) for call in generator.calls}
    assert "Insurance" not in asked and "Governing law" in asked
    assert len(generator.calls) == sum(1 for c in cells.values() if c.status != ReviewStatus.NOT_FOUND)


def test_wording_the_model_rejects_is_unclear_with_the_passages_to_check(reviewed):
    assistant, generator, _ = reviewed
    cells = cells_by_item(assistant.review(find_checklist("procurement-key-terms")))
    notice = cells["notice-to-terminate-renewal"]  # the judge has no key words for it: it says NO
    assert notice.status == ReviewStatus.UNCLEAR and "check the passages" in notice.reason
    assert notice.evidence and all(q.verified for q in notice.evidence)
    assert "non-renewal" in notice.evidence[0].quote and notice.value == ""
    # "from the Effective Date" mentions the term but neither defines nor dates it: no candidate
    assert cells["effective-date"].status == ReviewStatus.NOT_FOUND


def test_the_gdpr_checklist_skips_a_document_that_never_mentions_personal_data(reviewed):
    assistant, generator, _ = reviewed
    cells = list(assistant.review(find_checklist("gdpr-art28")))
    assert len(cells) == 12 and all(c.status == ReviewStatus.NOT_FOUND for c in cells)
    assert "outside this checklist's subject" in cells[0].reason
    assert generator.calls == []


def test_results_are_cached_by_document_hash_and_checklist_version(reviewed):
    assistant, generator, docs = reviewed
    checklist = find_checklist("procurement-key-terms")
    first = list(assistant.review(checklist))
    calls = len(generator.calls)
    assert list(assistant.review(checklist)) == first and len(generator.calls) == calls

    (docs / "services.txt").write_text(SERVICES)
    assistant.ingest([docs / "services.txt"])
    cells = list(assistant.review(checklist))
    new_calls = generator.calls[calls:]
    assert len(cells) == 2 * len(checklist.items)
    assert new_calls and all("Gamma" in call[-1]["content"] or "England" in call[-1]["content"]
                             or "consult" in call[-1]["content"].lower() for call in new_calls)
    law = {(c.doc, c.item): c for c in cells}[("services.txt", "governing-law")]
    assert law.status == ReviewStatus.FOUND and law.value == "England and Wales"

    calls = len(generator.calls)
    list(assistant.review(dataclasses.replace(checklist, version=checklist.version + 1), documents=["supply.txt"]))
    assert len(generator.calls) > calls  # a new version is reviewed again


def test_cancel_stops_between_cells_and_progress_counts_them(reviewed):
    assistant, generator, _ = reviewed
    checklist = find_checklist("procurement-key-terms")
    cancel, seen = threading.Event(), []

    def progress(p):
        seen.append((p.done, p.total))
        if p.done == 3:
            cancel.set()

    cells = list(assistant.review(checklist, progress=progress, cancel=cancel))
    assert len(cells) == 3 and seen == [(1, 19), (2, 19), (3, 19)]
    assert len(list(assistant.review(checklist))) == 19


def test_reply_parsing_and_value_checks():
    assert parse_reply("ANSWER: YES\nEXCERPT: 2\nVALUE: 30 days", 3) == (True, 2, "30 days")
    assert parse_reply("answer: no\nexcerpt: none\nvalue: none", 3) == (False, None, "")
    assert parse_reply("Yes. The clause is there.", 3) == (True, None, "")
    assert parse_reply("EXCERPT: 7\nANSWER: YES", 3) == (True, None, "")  # no excerpt 7 was shown
    assert parse_reply("I cannot tell.", 3) == (None, None, "")
    quote = "Notice must be given within thirty (30) days of the breach."
    assert verified_value("30 days", quote, "period") == "thirty (30) days"  # not in the quote: read from it
    assert verified_value("within thirty (30) days", quote, "period") == "within thirty (30) days"
    assert verified_value("California", "governed by the laws of the State of New York", "place") == "New York"
    assert verified_value("anything", quote, "none") == ""


# Exports

def test_exports_open_back_with_the_same_cells(reviewed, tmp_path):
    from openpyxl import load_workbook

    assistant, _, _ = reviewed
    checklist = find_checklist("procurement-key-terms")
    cells = list(assistant.review(checklist))
    law = cells_by_item(cells)["governing-law"]

    book = load_workbook(write_review(tmp_path / "review.xlsx", checklist, cells))
    grid = book["Review"]
    header = [c.value for c in grid[1]]
    assert header[0] == "Document" and header[1:] == [i.label for i in checklist.items]
    row = [c.value for c in grid[2]]
    assert row[0] == "supply.txt" and row[header.index("Governing law")] == "found: State of California"
    assert grid.cell(row=2, column=header.index("Governing law") + 1).fill.fgColor.rgb.endswith("C6EFCE")
    evidence = list(book["Evidence"].values)
    assert len(evidence) == 1 + len(checklist.items)
    assert ("supply.txt", "Governing law", "found", "State of California", 1, law.evidence[0].quote) == evidence[
        1 + [i.id for i in checklist.items].index("governing-law")][:6]

    with open(write_review(tmp_path / "review.csv", checklist, cells), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(checklist.items)
    law_row = next(r for r in rows if r["item"] == "Governing law")
    assert law_row["status"] == "found" and law_row["page"] == "1" and "State of California" in law_row["quote"]
    assert next(r for r in rows if r["item"] == "Insurance")["status"] == "not found"

    markdown = write_review(tmp_path / "review.md", checklist, cells).read_text()
    assert "| supply.txt | " in markdown and "found: State of California" in markdown
    assert f'page 1: "{law.evidence[0].quote}"' in markdown

    with pytest.raises(Exception, match="review.pdf"):
        write_review(tmp_path / "review.pdf", checklist, cells)


def test_candidates_rank_full_sentences_with_more_signals_first():
    from assistant.clauses.candidates import Candidate

    heading = Candidate(1, 0, 14, "Governing Law.", rank=1, signals=1)
    passing = Candidate(3, 0, 60, "Disputes governed by the arbitration rules are heard in London.", rank=1, signals=1)
    clause = Candidate(9, 0, 90, "This Agreement is governed by and construed under the laws of the State of Texas.",
                       rank=4, signals=3)
    same_passage = Candidate(3, 70, 140, "Either party may assign with the prior written consent of the other.",
                             rank=1, signals=1, shared=4)
    assert sorted([heading, passing, clause], key=lambda c: c.order) == [clause, passing, heading]
    assert sorted([passing, same_passage], key=lambda c: c.order) == [same_passage, passing]


def test_an_operative_clause_ranks_before_the_recital_that_announces_it():
    from assistant.clauses.candidates import Candidate

    recital = Candidate(1, 0, 90, "The Manufacturer wishes to appoint the Customer as the sole and exclusive agent.",
                        rank=1, signals=1)
    operative = Candidate(4, 0, 90, "13.1 The Manufacturer hereby appoints the Customer as the sole and exclusive "
                                    "agent.", rank=2, signals=1)
    condition = Candidate(5, 0, 90, "If either party wishes to continue the Agreement, the parties shall negotiate "
                                    "a renewal.", rank=1, signals=1)
    assert recital.recital and not operative.recital and not condition.recital
    assert sorted([recital, operative], key=lambda c: c.order) == [operative, recital]


def test_a_date_stated_in_the_opening_lines_is_the_evidence(reviewed):
    """An item with evidence = "first" (the agreement's date) quotes the first matching sentence,
    not a later one that ranks higher in a search (a date of another agreement it refers to)."""
    checklist = find_checklist("procurement-key-terms")
    assert {i.id for i in checklist.items if i.evidence == "first"} == {"parties", "agreement-date", "effective-date"}
    cell = review_text(reviewed, "dated.txt", (
        "SUPPLY AGREEMENT\nThis Supply Agreement is made on March 3, 2021 between Acme Tools Inc. and Beta Ltd.\n\n"
        "1. BACKGROUND\n1.1 The parties signed a confidentiality agreement dated January 5, 2019, and this "
        "Agreement is made on the terms of that agreement dated January 5, 2019.\n"))["agreement-date"]
    assert "made on March 3, 2021" in cell.evidence[0].quote and "2019" not in cell.evidence[0].quote


def test_a_review_is_scored_against_clause_presence_labels():
    from assistant.evaluation.review import score_review

    labels = [
        {"doc": "a.pdf", "item": "Governing Law", "present": True, "spans": ["governed by the laws of Texas"]},
        {"doc": "a.pdf", "item": "Exclusivity", "present": False, "spans": []},
        {"doc": "a.pdf", "item": "Audit Rights", "present": True, "spans": ["Buyer may audit the books once a year."]},
        {"doc": "b.pdf", "item": "Governing Law", "present": True, "spans": ["the laws of England"]},
    ]
    quote = lambda text: {"page": 1, "quote": text}  # noqa: E731
    lines = [
        {"doc": "a.pdf", "item": "Governing Law", "status": "found", "value": "Texas",
         "evidence": [quote("This Agreement is governed by the laws of Texas.")]},  # holds the span
        {"doc": "a.pdf", "item": "Exclusivity", "status": "found", "value": "", "evidence": [quote("exclusive")]},
        {"doc": "a.pdf", "item": "Audit Rights", "status": "found", "value": "",  # the second quote is the clause
         "evidence": [quote("Audit Rights."), quote("Buyer may audit the books once a year.")]},
        {"doc": "b.pdf", "item": "Governing Law", "status": "unclear", "value": "", "evidence": []},
        {"doc": "c.pdf", "item": "Governing Law", "status": "found", "value": "", "evidence": []},  # not labelled
    ]
    scores = score_review(labels, lines)
    assert scores.cells == 4 and scores.found == 3 and scores.present == 3 and scores.unclear == 1
    assert scores.accuracy == pytest.approx(2 / 4)  # unclear counts as not found
    assert scores.found_precision == pytest.approx(2 / 3) and scores.found_recall == pytest.approx(2 / 3)
    assert scores.evidence_overlap == pytest.approx(2 / 3)
    assert scores.first_quote_overlap == pytest.approx(1 / 3)


def test_a_clause_in_two_equally_strong_sentences_quotes_both(reviewed, monkeypatch):
    # The signals' own ranking (the learned detectors, which rank and filter by their own score,
    # are tested in test_detectors.py)
    monkeypatch.setattr("assistant.review.engine.load_detectors", lambda: None)
    cells = review_text(reviewed, "distribution.txt", (
        "DISTRIBUTION AGREEMENT\n\n5. EXCLUSIVITY\n5.1 The Supplier appoints the Distributor as its exclusive "
        "distributor of the Products in France.\n5.2 The Supplier shall not sell the Products to any other "
        "distributor in France.\n\n6. LAW\n6.1 This Agreement is governed by the laws of France.\n"))
    docs = reviewed[2]
    exclusive = cells["exclusivity"]
    assert exclusive.status == ReviewStatus.FOUND and len(exclusive.evidence) == 2
    assert sorted("5.1" in q.quote for q in exclusive.evidence) == [False, True]
    assert sorted("5.2" in q.quote for q in exclusive.evidence) == [False, True]
    assert all(q.verified for q in exclusive.evidence)
    with open(write_review(docs / "review.csv", find_checklist("procurement-key-terms"), list(cells.values())),
              newline="", encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["item"] == "Exclusivity")
    assert row["page"] == "1" and row["quote"].split("\n\n") == [q.quote for q in exclusive.evidence]
    law = cells["governing-law"]  # one sentence has the wording: one quote
    assert law.status == ReviewStatus.FOUND and len(law.evidence) == 1
    assert law.evidence[0].quote.endswith("6.1 This Agreement is governed by the laws of France.")
