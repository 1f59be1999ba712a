"""German and French in the lexical index (assistant/store/lexical_forms.py): accents, umlauts and
"ß" folded, words stemmed per language, German compounds found by their parts; the in-memory
BM25 still scores as FTS5 does, English is searched as before, and a catalog indexed before the
word forms is migrated once, wholly."""

import sqlcipher3.dbapi2 as sqlite3  # the SQLite the catalog uses (FTS5 with secure-delete)

import pytest

from assistant.store.catalog import Catalog
from assistant.store.lexical import fts5_search
from assistant.store.lexical_forms import compound_parts, index_text, lexicon, query_choice, query_language, query_words
from assistant.text import content_words
from assistant.types import Chunk, Page, Source


def assert_same_ranking(got, expected):
    """The same passages with the same scores (to 1e-9; ties may come in either order)."""
    assert sorted((round(s, 9), c) for c, _, s in got) == sorted((round(s, 9), c) for c, _, s in expected)

GERMAN = {
    "avv": "Die Auftragsverarbeitung erfolgt nur auf dokumentierte Weisung des Verantwortlichen. "
           "Der Auftrag wird schriftlich erteilt, und die Verarbeitung ist zu protokollieren.",
    "sitz": "Der Sitz der Gesellschaft ist in der Hauptstraße 5 in Berlin. Die Straße ist für den "
            "Verkehr gesperrt, und die Anlieferung erfolgt über den Hof.",
    "arbeit": "Die Arbeitszeit der Mitarbeiter ist in der Betriebsvereinbarung geregelt. Die Arbeit "
              "beginnt um acht Uhr und endet mit der Übergabe an die Spätschicht.",
}
FRENCH = {
    "rgpd": "Les données à caractère personnel sont traitées de manière licite par le sous-traitant. "
            "Le responsable du traitement est informé de toute violation.",
    "prix": "Le prix est payable dans les trente jours. Le client peut donner un préavis écrit "
            "pour la résiliation du contrat.",
}
ENGLISH = {
    "supply": "The supplier shall deliver the products within thirty days. The café on the premises "
              "is operated by the landlord under a separate lease.",
    "strasse": "Notices go to the registered office at Hauptstrasse 5, Berlin, for the attention of the "
               "managing director.",
}


def add(catalog: Catalog, name: str, text: str, title: str = "") -> str:
    source_id = (name * 64)[:64].encode().hex()[:64]
    pages = [Page(1, "1", text)]
    chunk = Chunk(f"{source_id[:24]}-00000", source_id, f"{name}.txt", "txt", 1, 0, len(text), text, "", 0)
    catalog.add_pending(Source(source_id, f"/docs/{name}.txt", f"{name}.txt", "txt", title or name, 1, 1, len(text)),
                        vectors=1)
    catalog.complete(source_id, pages, [chunk], [title or name])
    return source_id


@pytest.fixture
def mixed(tmp_path):
    catalog = Catalog(tmp_path / "catalog.sqlite")
    ids = {name: add(catalog, name, text) for group in (GERMAN, FRENCH, ENGLISH) for name, text in group.items()}
    yield catalog, ids
    catalog.close()


def found(catalog, query, source_ids=None):
    return [row[1] for row in catalog.lexical_search(query, 10, source_ids=source_ids)]


def agrees_with_fts5(catalog, query, source_ids=None):
    """The in-memory scorer against FTS5's bm25() for the words the catalog searched with."""
    language, sure = query_choice(query, catalog.languages(source_ids))
    got = catalog.lexical_search(query, 20, source_ids=source_ids)
    with catalog._lock:
        expected = fts5_search(catalog._db, query_words(query, language, sure), 20, source_ids)
    assert_same_ranking(got, expected)
    return got


def test_documents_record_their_language(mixed):
    catalog, ids = mixed
    assert catalog.languages() == {"de", "fr", "en"}
    assert catalog.languages([ids["avv"]]) == {"de"} and catalog.languages([ids["prix"]]) == {"fr"}


def test_auftragsverarbeiter_finds_auftragsverarbeitung(mixed):
    catalog, ids = mixed
    assert found(catalog, "Welche Pflichten hat der Auftragsverarbeiter?")[0] == ids["avv"]
    # The compound's parts are indexed too, as both are words of the same document.
    assert found(catalog, "Wann ist eine Verarbeitung zulässig?")[0] == ids["avv"]
    agrees_with_fts5(catalog, "Welche Pflichten hat der Auftragsverarbeiter?")


def test_donnees_matches_donnees_with_or_without_accents(mixed):
    catalog, ids = mixed
    assert found(catalog, "Que dit le texte sur les données ?")[0] == ids["rgpd"]
    assert found(catalog, "que dit le texte sur les donnees")[0] == ids["rgpd"]
    assert found(catalog, "le sous-traitant et la donnée")[0] == ids["rgpd"]
    agrees_with_fts5(catalog, "que dit le texte sur les donnees")


def test_sharp_s_and_ss_are_one_letter_pair(mixed):
    catalog, ids = mixed
    assert found(catalog, "Wo liegt die Strasse der Gesellschaft?")[0] == ids["sitz"]
    assert found(catalog, "Wo liegt die Hauptstraße der Gesellschaft?")[0] == ids["sitz"]
    # In English text too: "Hauptstraße" typed in a question finds "Hauptstrasse" written out.
    assert set(found(catalog, "Hauptstraße")) == {ids["sitz"], ids["strasse"]}


def test_words_that_only_look_alike_do_not_match(mixed):
    catalog, ids = mixed
    # "Arbeit" and "Mitarbeiter" are not "Auftragsverarbeiter": no stem or part is shared.
    assert ids["arbeit"] not in found(catalog, "Welche Pflichten hat der Auftragsverarbeiter?")
    assert ids["avv"] not in found(catalog, "Wann beginnt die Arbeit?")
    # "donner" (to give) is not "données" (data); "traitement" is not "prix".
    assert ids["prix"] not in found(catalog, "Que dit le texte sur les données ?")
    assert found(catalog, "Quel est le délai de paiement du prix ?")[0] == ids["prix"]
    assert ids["rgpd"] not in found(catalog, "Quel est le délai de paiement du prix ?")
    # German function words are not searched: they are in every German passage.
    assert found(catalog, "der die das und ist") == []


def test_english_questions_search_english_text_as_before(mixed):
    catalog, ids = mixed
    question = "Within how many days shall the supplier deliver the products?"
    assert query_language(question, catalog.languages()) == "en"
    assert query_words(question, "en") == content_words(question)
    assert found(catalog, question)[0] == ids["supply"]
    assert found(catalog, "café")[0] == ids["supply"]
    got = catalog.lexical_search(question, 20)
    with catalog._lock:
        assert_same_ranking(got, fts5_search(catalog._db, content_words(question), 20))


def test_an_english_only_collection_is_searched_as_plain_text(tmp_path):
    catalog = Catalog(tmp_path / "catalog.sqlite")
    add(catalog, "supply", ENGLISH["supply"])
    assert query_language("café données über", catalog.languages()) == "en"
    with catalog._lock:
        row = catalog._db.execute("SELECT text FROM chunks_fts").fetchone()
    assert row[0] == ENGLISH["supply"]  # stored as it is: FTS5's porter stems English
    catalog.close()


def test_searches_within_a_german_document_use_its_forms(mixed):
    catalog, ids = mixed
    # No function word says which language "Auftragsverarbeiter Weisung" is: the scope says it.
    assert query_language("Auftragsverarbeiter Weisung", catalog.languages([ids["avv"]])) == "de"
    assert found(catalog, "Auftragsverarbeiter Weisung", [ids["avv"]]) == [ids["avv"]]
    agrees_with_fts5(catalog, "Auftragsverarbeiter Weisung", [ids["avv"], ids["sitz"]])
    assert catalog.chunk_frequency("auftragsverarbeiter") == 1
    assert catalog.chunk_frequency("données") == 1 and catalog.chunk_frequency("donnees") == 1


def test_compounds_split_only_into_words_of_the_same_document():
    known = lexicon(["Der Auftrag. Die Verarbeitung. Datenschutz und Daten, Schutz."], "de")
    assert compound_parts("auftragsverarbeit", known) == ["auftrag", "verarbeit"]
    assert compound_parts("datenschutz", known) == ["dat", "schutz"]
    # Neither "Arbeitszeit" nor its parts are words of this text: it stays one word.
    assert compound_parts("arbeitszeit", known) == []
    # A function word is never a part ("unter" + "nehm").
    assert compound_parts("unternehm", lexicon(["unter nehmen Unternehmen"], "de")) == []
    text = index_text("Die Auftragsverarbeitung", "de", known)
    assert text.split() == ["die", "auftragsverarbeit", "auftrag", "verarbeit"]


def test_a_catalog_indexed_before_word_forms_is_migrated_once(tmp_path):
    path = tmp_path / "catalog.sqlite"
    catalog = Catalog(path)
    ids = {name: add(catalog, name, text) for name, text in {**GERMAN, **FRENCH, **ENGLISH}.items()}
    question = "Welche Pflichten hat der Auftragsverarbeiter?"
    expected = catalog.lexical_search(question, 10)
    catalog.close()
    # Make it what an older version wrote: no language column, text in FTS5 as it is.
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE documents DROP COLUMN lexical_language")
    db.execute("UPDATE chunks_fts SET text = (SELECT text FROM chunks WHERE chunks.id = chunks_fts.rowid), "
               "context = (SELECT title FROM documents d JOIN chunks c USING (source_id) WHERE c.id = chunks_fts.rowid)")
    db.commit()
    assert db.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'auftragsverarbeiter'").fetchone()[0] == 0
    db.close()

    catalog = Catalog(path)
    assert catalog.languages([ids["avv"]]) == {"de"} and catalog.languages([ids["supply"]]) == {"en"}
    assert catalog.lexical_search(question, 10) == expected
    assert found(catalog, "Wo liegt die Strasse?")[0] == ids["sitz"]
    with catalog._lock:
        rows = catalog._db.execute("SELECT rowid, text, context FROM chunks_fts ORDER BY rowid").fetchall()
    catalog.close()
    again = Catalog(path)  # nothing left to migrate: the entries stay as they are
    with again._lock:
        assert again._db.execute("SELECT rowid, text, context FROM chunks_fts ORDER BY rowid").fetchall() == rows
    assert again.lexical_search(question, 10) == expected
    again.close()
