import pytest

from assistant.errors import InvalidSetting
from assistant.ingest.chunking import chunk_pages
from assistant.settings import ChunkerSettings, checked
from assistant.types import Page

CONTRACT = """SUPPLY AGREEMENT
This Supply Agreement is made between Northwind Ltd and Harbour GmbH.
1. DEFINITIONS
1.1 "Products" means the bearings listed in Schedule 1, including all spare parts and accessories supplied with them.
1.2 "Effective Date" means the date of signature by the last party to sign this Agreement.
2. TERM AND RENEWAL
2.1 This Agreement starts on the Effective Date and continues for an initial term of three (3) years.
2.2 It renews automatically for successive one (1) year terms unless either party gives written notice of non-renewal at least ninety (90) days before the end of the then-current term.
12.3 Limitation of Liability. The total liability of each party is limited to the fees paid in the twelve months before the claim.
(a) This limit does not apply to fraud.
(b) This limit does not apply to death or personal injury caused by negligence.
ARTICLE 28
Processor
SCHEDULE 1 - PRODUCTS
Deep-groove ball bearings, series 6200 and 6300.
"""


def test_every_chunk_is_an_exact_slice_of_its_page():
    pages = [Page(1, "1", CONTRACT), Page(2, "2", "Annex A\n" + "The supplier shall keep records. " * 80)]
    chunks = chunk_pages(pages, ChunkerSettings(max_chars=400, min_chars=100))
    assert chunks
    for chunk in chunks:
        page = pages[chunk.page - 1]
        assert page.text[chunk.start:chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip()
        assert len(chunk.text) <= 400


def test_chunks_cover_all_text_in_order_without_overlap():
    pages = [Page(1, "1", CONTRACT)]
    chunks = chunk_pages(pages, ChunkerSettings(max_chars=300, min_chars=100))
    starts = [c.start for c in chunks]
    assert starts == sorted(starts)
    for a, b in zip(chunks, chunks[1:]):
        assert a.end <= b.start
        assert CONTRACT[a.end:b.start].strip() == ""  # nothing but whitespace is dropped
    assert "".join(CONTRACT.split()) == "".join("".join(c.text for c in chunks).split())


def test_chunks_start_at_clause_boundaries_and_carry_their_heading():
    chunks = chunk_pages([Page(1, "1", CONTRACT)], ChunkerSettings(max_chars=300, min_chars=100))
    by_start = {c.text.split("\n")[0]: c for c in chunks}
    assert "2. TERM AND RENEWAL" in by_start
    assert by_start["2. TERM AND RENEWAL"].heading == "2. TERM AND RENEWAL"
    liability = next(c for c in chunks if "Limitation of Liability" in c.text)
    assert liability.text.startswith("12.3 Limitation of Liability")
    assert liability.heading == "12.3 Limitation of Liability"
    # a chunk that opens inside a clause keeps the heading in force
    fraud = next(c for c in chunks if "does not apply to fraud" in c.text)
    assert fraud.heading.startswith("12.3") or fraud.heading == "12.3 Limitation of Liability"


def test_bare_heading_goes_with_the_text_under_it():
    text = "1. PRICE\n" + "The price is fixed for the term. " * 6 + "\n2. DELIVERY\nDelivery is DDP Dublin.\n"
    chunks = chunk_pages([Page(1, "1", text)], ChunkerSettings(max_chars=900, min_chars=300))
    delivery = next(c for c in chunks if "DDP Dublin" in c.text)
    assert delivery.text.startswith("2. DELIVERY")
    assert not any(c.text.endswith("2. DELIVERY") for c in chunks)


def test_heading_carries_over_a_page_break():
    pages = [Page(1, "1", "7. CONFIDENTIALITY\nEach party keeps the other's information secret."),
             Page(2, "2", "This obligation survives termination for five years.")]
    chunks = chunk_pages(pages)
    assert chunks[-1].page == 2
    assert chunks[-1].heading == "7. CONFIDENTIALITY"


def test_long_clause_is_split_at_sentence_ends_within_the_window():
    sentence = "The supplier shall maintain insurance with reputable insurers. "
    text = "9. INSURANCE\n" + sentence * 60
    chunks = chunk_pages([Page(1, "1", text)], ChunkerSettings(max_chars=500, min_chars=100))
    assert len(chunks) >= 7
    assert all(len(c.text) <= 500 for c in chunks)
    assert all(c.text.endswith(".") for c in chunks)
    assert all(c.heading == "9. INSURANCE" for c in chunks)


def test_no_break_spaces_and_gdpr_articles_are_boundaries():
    text = ("Article 32\nSecurity of processing\n" + "The controller shall implement measures. " * 10
            + "\nArticle 33\nNotification of a personal data breach\n" + "The controller shall notify. " * 10)
    chunks = chunk_pages([Page(52, "52", text)], ChunkerSettings(max_chars=900, min_chars=200))
    assert [c.text.split("\n")[0] for c in chunks] == ["Article 32", "Article 33"]
    assert all(c.page == 52 for c in chunks)


def test_invalid_settings_name_the_bad_value():
    with pytest.raises(InvalidSetting, match="max_chars must be at least 200, got 50"):
        checked(ChunkerSettings(max_chars=50))
    with pytest.raises(InvalidSetting, match="min_chars .* got 900"):
        checked(ChunkerSettings(max_chars=900, min_chars=900))


def test_empty_page_gives_no_chunks():
    assert chunk_pages([Page(1, "1", "   \n  ")]) == []
