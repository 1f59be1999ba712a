"""Definition questions in German and French: the term asked, and the numbered definition that
German and French texts write without a verb ('8. „Auftragsverarbeiter“ eine ...')."""

import pytest

from assistant.retrieval.definitions import definition_at, term_asked


@pytest.mark.parametrize("question, term", [
    ("Wie definiert die DSGVO personenbezogene Daten?", "personenbezogene Daten"),
    ("Wie definiert die DSGVO den Auftragsverarbeiter?", "Auftragsverarbeiter"),
    ("Was versteht die DSGVO unter einer Einwilligung?", "Einwilligung"),
    ("Comment le RGPD définit-il le sous-traitant ?", "sous-traitant"),
    ("Comment le RGPD définit-il les données à caractère personnel ?", "données à caractère personnel"),
    ("Welche Pflichten hat der Auftragsverarbeiter?", None),
    ("Quelles sont les obligations du sous-traitant ?", None),
])
def test_the_term_a_german_or_french_definition_question_asks_about(question, term):
    assert term_asked(question) == term


def test_numbered_definitions_without_a_verb():
    german = "Im Sinne dieser Verordnung bezeichnet der Ausdruck:\n7. „Verantwortlicher“ die Stelle;\n8. „Auftragsverarbeiter“ eine natürliche oder juristische Person"
    assert german[definition_at(german, "Auftragsverarbeiter"):].startswith("„Auftragsverarbeiter“ eine")
    french = "on entend par:\n8) «sous-traitant», la personne physique ou morale"
    assert french[definition_at(french, "sous-traitant"):].startswith("«sous-traitant», la")
    # The term quoted inside a sentence, not opening a numbered item, defines nothing.
    assert definition_at("Der „Auftragsverarbeiter“ handelt nur auf Weisung.", "Auftragsverarbeiter") is None
    assert definition_at("8. Der Auftragsverarbeiter handelt nur auf Weisung.", "Auftragsverarbeiter") is None
