"""Chunking German and French legal text: "Artikel", "§", "Ziffer", "Anlage", "Kapitel",
"Abschnitt"; "Article", "Annexe", "Chapitre", "Section", "Titre" open units and become the heading
in force, German numbered paragraphs are cited as "Artikel 28 Abs. 3", headings carry across page
breaks, and English text is cut as before."""

from assistant.ingest.chunking import chunk_pages
from assistant.settings import ChunkerSettings
from assistant.types import Page

SMALL = ChunkerSettings(max_chars=400, min_chars=100)

GERMAN_PAGE_1 = (
    "Vereinbarung zur Auftragsverarbeitung zwischen der Firma und dem Kunden, die für die Dauer des "
    "Hauptvertrags gilt.\n\n"
    "§ 5 Haftung\n\n"
    "(1) Der Auftragnehmer haftet für Schäden, die durch eine Verarbeitung verursacht werden, die nicht "
    "dieser Verordnung entspricht. " + "Die Haftung ist auf den Auftragswert begrenzt. " * 6 + "\n\n"
    "(2) Die Haftung für Vorsatz und grobe Fahrlässigkeit bleibt unberührt und ist der Höhe nach nicht "
    "begrenzt, soweit das Gesetz nichts anderes bestimmt.\n"
)
GERMAN_PAGE_2 = (
    "Sie gilt auch für Erfüllungsgehilfen des Auftragnehmers und für die von ihm beauftragten Dritten, "
    "die bei der Verarbeitung mitwirken.\n\n"
    "(3) Der Auftraggeber stellt den Auftragnehmer von Ansprüchen Dritter frei, wenn und soweit diese auf "
    "einer Weisung des Auftraggebers beruhen. " + "Das gilt auch für die Kosten der Rechtsverteidigung. " * 5 + "\n\n"
    "Artikel 28\n\nAuftragsverarbeiter\n\n"
    "(1) Erfolgt eine Verarbeitung im Auftrag eines Verantwortlichen, so arbeitet dieser nur mit "
    "Auftragsverarbeitern, die hinreichend Garantien dafür bieten, dass die Verarbeitung gemäß Artikel 32 "
    "erfolgt. " + "Der Vertrag ist schriftlich abzufassen. " * 5 + "\n\n"
    "(3) Die Verarbeitung durch einen Auftragsverarbeiter erfolgt auf der Grundlage eines Vertrags, der "
    "den Auftragsverarbeiter in Bezug auf den Verantwortlichen bindet. Der Vertrag sieht vor, dass der "
    "Auftragsverarbeiter\n\n"
    "a) die personenbezogenen Daten nur auf dokumentierte Weisung des Verantwortlichen verarbeitet;\n\n"
    "b) gewährleistet, dass sich die befugten Personen zur Vertraulichkeit verpflichtet haben.\n\n"
    "Anlage 1: Technische und organisatorische Maßnahmen\n\n"
    "Die Maßnahmen umfassen die Verschlüsselung der Daten und die Kontrolle des Zugangs.\n"
)

FRENCH = (
    "Le présent règlement s'applique au traitement des données à caractère personnel, automatisé en tout "
    "ou en partie, ainsi qu'au traitement non automatisé de données.\n"
    "Article 5\n"
    "Principes relatifs au traitement des données à caractère personnel\n"
    "1. Les données à caractère personnel doivent être:\n"
    "a) traitées de manière licite, loyale et transparente au regard de la personne concernée;\n"
    "b) collectées pour des finalités déterminées, explicites et légitimes;\n"
    "2. Le responsable du traitement est responsable du respect du paragraphe 1 et est en mesure de "
    "démontrer que celui-ci est respecté.\n"
    "CHAPITRE III\n"
    "Droits de la personne concernée\n"
    "Article 1er\n"
    "Le prestataire fournit les services décrits à l'annexe A, dans les délais convenus avec le client.\n"
    "ANNEXE A – DESCRIPTION DES SERVICES\n"
    "Hébergement des données sur des serveurs situés en France, sauvegarde quotidienne.\n"
)


def heading_of(chunks, words):
    return next(c.heading for c in chunks if words in c.text)


def test_german_paragraph_headings_carry_across_a_page_break():
    pages = [Page(1, "1", GERMAN_PAGE_1), Page(2, "2", GERMAN_PAGE_2)]
    chunks = chunk_pages(pages, SMALL)
    for chunk in chunks:
        assert pages[chunk.page - 1].text[chunk.start:chunk.end] == chunk.text
    assert heading_of(chunks, "§ 5 Haftung") == "§ 5 Haftung"
    # A chunk is cited by where it starts: inside (1), though (2) follows in it.
    assert heading_of(chunks, "Vorsatz und grobe") == "§ 5 Abs. 1"
    # Page 2 opens inside § 5 (2): the heading in force comes over the page break.
    first_on_2 = next(c for c in chunks if c.page == 2)
    assert first_on_2.text.startswith("Sie gilt auch") and first_on_2.heading == "§ 5 Abs. 2"
    assert next(c for c in chunks if c.text.startswith("(3) Der Auftraggeber")).heading == "§ 5 Abs. 3"
    # A new article resets the paragraph; its own paragraphs and items cite it.
    assert heading_of(chunks, "Artikel 28\n\nAuftragsverarbeiter") == "Artikel 28"
    assert heading_of(chunks, "Der Vertrag sieht vor") == "Artikel 28 Abs. 1"
    assert heading_of(chunks, "zur Vertraulichkeit verpflichtet") == "Artikel 28 Abs. 3"
    assert heading_of(chunks, "Verschlüsselung der Daten") == "Anlage 1: Technische und organisatorische Maßnahmen"
    assert any(c.text.startswith("Artikel 28") for c in chunks)
    # "gemäß Artikel 32" inside a sentence opens nothing.
    assert not any(c.text.startswith("Artikel 32") or c.heading.startswith("Artikel 32") for c in chunks)


def test_german_headings_by_their_keywords():
    text = ("KAPITEL II\nGrundsätze\n"
            "Abschnitt 3 Pflichten des Lieferanten\n" + "Der Lieferant liefert pünktlich und vollständig. " * 4 + "\n"
            "Ziffer 7 Gewährleistung\n" + "Mängel werden innerhalb von zwei Wochen beseitigt. " * 4 + "\n"
            "§12 Schlussbestimmungen\n" + "Gerichtsstand ist München, und es gilt deutsches Recht. " * 3 + "\n")
    chunks = chunk_pages([Page(1, "1", text)], ChunkerSettings(max_chars=400, min_chars=20))
    assert heading_of(chunks, "Grundsätze") == "KAPITEL II"
    assert heading_of(chunks, "pünktlich") == "Abschnitt 3 Pflichten des Lieferanten"
    assert heading_of(chunks, "Mängel") == "Ziffer 7 Gewährleistung"
    assert heading_of(chunks, "Gerichtsstand") == "§12 Schlussbestimmungen"


def test_french_article_headings():
    chunks = chunk_pages([Page(1, "1", FRENCH)], ChunkerSettings(max_chars=400, min_chars=60))
    for chunk in chunks:
        assert FRENCH[chunk.start:chunk.end] == chunk.text
    assert any(c.text.startswith("Article 5\nPrincipes") for c in chunks)
    assert heading_of(chunks, "traitées de manière licite") == "Article 5"
    assert heading_of(chunks, "démontrer que celui-ci") == "Article 5"
    assert heading_of(chunks, "Droits de la personne concernée") == "CHAPITRE III"
    assert heading_of(chunks, "Le prestataire fournit") == "Article 1er"
    assert heading_of(chunks, "sauvegarde quotidienne") == "ANNEXE A – DESCRIPTION DES SERVICES"


def test_a_french_heading_carries_across_a_page_break():
    pages = [Page(1, "1", "Article 5\nConfidentialité\nLe prestataire garde secrètes les informations du client."),
             Page(2, "2", "Cette obligation survit à la fin du contrat pendant cinq ans, quelle qu'en soit la cause.")]
    chunks = chunk_pages(pages)
    assert chunks[-1].page == 2 and chunks[-1].heading == "Article 5"


def test_english_text_is_cut_by_english_rules_only():
    # German keywords and "a)" items are not English structure; English "(3)" is no "Abs. 3".
    text = ("ARTICLE 4\nPAYMENT\n(3) The customer pays within thirty days of the invoice date, as the supplier "
            "and the customer agree for each order under this agreement.\n"
            "Artikel 5 of the German terms is not part of this agreement, and neither is its annex.\n"
            "a) this line is a list item written the German way, which the English rules do not cut at.\n")
    chunks = chunk_pages([Page(1, "1", text)], ChunkerSettings(max_chars=1500, min_chars=10))
    assert {c.heading for c in chunks} <= {"ARTICLE 4", "PAYMENT"} and "Abs." not in chunks[-1].heading
    assert not any(c.text.startswith(("Artikel 5", "a) this")) for c in chunks)
    german = chunk_pages([Page(1, "1", text)], ChunkerSettings(max_chars=1500, min_chars=10), language="de")
    assert any(c.text.startswith("Artikel 5") for c in german)  # the same lines under German rules
