"""An English question about one of a company's French documents, when the same company also
has a German one: BM25 can only match the names the question shares with them ("Nuage"), so
inside a document in another language the dense ranking of the multilingual model decides, and
the clause asked about is found in the French document, not a German passage full of the name."""

from assistant.service import Assistant
from assistant.store.catalog import MULTILINGUAL
from assistant.testing import GlossaryEmbedder, HashEmbedder

FRENCH = """CONDITIONS GÉNÉRALES DE VENTE DE NUAGE SAS (CGV)

Article 1 - Objet
Les présentes conditions régissent la fourniture des services par le Prestataire au Client.

Article 2 - Paiement
Les factures sont payables à trente jours et le Client règle les sommes dues par virement.

Article 3 - Droit applicable
Le contrat est soumis au droit français et tout litige relève du tribunal de commerce de Nanterre.

Article 4 - Confidentialité
Chaque partie garde confidentielles les informations de l'autre partie pendant la durée du contrat.
"""

GERMAN = "\n\n".join(
    f"§ {n} Pflichten von Nuage\nNuage unterstützt den Kunden bei der Verarbeitung; Nuage dokumentiert die Maßnahme {n} "
    f"und Nuage informiert den Kunden über die Ergebnisse der Prüfung {n}."
    for n in range(1, 9)
)
# The preamble (where a document names itself) does not name the company, its clauses do: so the
# name stays in the question searched inside this document, and BM25 ranks by it alone.
PREAMBLE = " ".join(["Diese Vereinbarung regelt die Verarbeitung personenbezogener Daten im Auftrag des Kunden "
                     "und die Pflichten der Parteien bei der Erbringung der Dienste."] * 12)
GERMAN = f"VEREINBARUNG ZUR AUFTRAGSVERARBEITUNG\n\n§ 0 Präambel\n{PREAMBLE}\n\n" + GERMAN


def test_the_french_clause_wins_over_german_passages_that_only_share_the_name(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "nuage-cgv.txt").write_text(FRENCH, encoding="utf-8")
    (docs / "auftragsverarbeitung.txt").write_text(GERMAN, encoding="utf-8")
    assistant = Assistant(tmp_path / "index", embedder=HashEmbedder(), multilingual_embedder=GlossaryEmbedder())
    assistant.ingest([docs])
    catalog = assistant.index.catalog
    assert {catalog.space_of(d.source_id) for d in assistant.documents()} == {MULTILINGUAL}
    hits = assistant.search("Which governing law applies to the Nuage CGV?", k=3)
    assert "droit français" in hits[0].text and hits[0].doc_name == "nuage-cgv.txt"
    assistant.close()
