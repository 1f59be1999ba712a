from assistant.language import detect_language


def test_detects_the_three_languages_from_a_sentence():
    assert detect_language("The Supplier shall indemnify the Buyer for any loss arising from the breach.") == "en"
    assert detect_language("Der Auftragsverarbeiter verarbeitet die Daten nur auf Weisung des Verantwortlichen und ist dazu verpflichtet.") == "de"
    assert detect_language("Le sous-traitant traite les données à caractère personnel que sur instruction du responsable du traitement.") == "fr"


def test_too_little_text_is_english():
    assert detect_language("") == "en"
    assert detect_language("Anlage 3") == "en"
