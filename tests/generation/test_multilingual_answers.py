"""Answers in the question's language, with quotes verbatim in the document's: the prompt says
which language to write in, a quotation in the answer is what verifies a sentence written in
another language than its passage, the English-only checks before the model stand aside for
German and French, and a refusal in German or French still abstains.

The generator is a fake that computes its reply from the prompt it is given: it picks the
passage sentence that shares most (glossary-translated) words with the question and writes an
English or German sentence around it, quoted; what it says is never asserted as knowledge."""

import json
import re

import pytest

from assistant.clauses.checklist import all_checklists
from assistant.generation.prompt import language_instruction
from assistant.generation.answering import UNVERIFIED_LEAD
from assistant.grounding.evidence import gate
from assistant.service import Assistant
from assistant.testing import GlossaryEmbedder, HashEmbedder, ScriptedGenerator
from assistant.text import normalise_space, sentences
from assistant.types import Answer, SearchFilters

CGV = """CONDITIONS GÉNÉRALES DE VENTE DE NUAGE SAS

Article 1 - Objet
Les présentes conditions régissent la fourniture des services par le Prestataire au Client.

Article 2 - Responsabilité
La responsabilité totale du Prestataire est plafonnée au montant des sommes payées par le Client au cours des douze derniers mois.

Article 3 - Droit applicable
Le contrat est soumis au droit français et tout litige relève du tribunal de commerce de Nanterre.
"""

ENGLISH = """SUPPLY AGREEMENT between Northwind Components Ltd and Harbour Tools GmbH.
1. TERM
1.1 The term is three (3) years.
2. GOVERNING LAW
2.1 This Supply Agreement is governed by the laws of Ireland.
"""


def quoting_reply(messages) -> str:
    """Quote the passage sentence closest to the question, in the language the prompt asks for."""
    prompt = messages[-1]["content"]
    question = prompt.rsplit("Question:", 1)[-1].split("\n", 1)[0]
    glossary = GlossaryEmbedder.GLOSSARY
    wanted = {glossary.get(w, w) for w in re.findall(r"\w+", question.lower()) if len(w) > 3}
    best, best_score = None, 0
    blocks = prompt.split("\n\nQuestion:", 1)[0]
    for number, body in re.findall(r"^\[(\d+)\][^\n]*:\n(.*?)(?=\n\n\[\d+\]|\Z)", blocks, flags=re.S | re.M):
        for sentence in sentences(normalise_space(body)):
            score = len(wanted & {glossary.get(w, w) for w in re.findall(r"\w+", sentence.lower())})
            if score > best_score:
                best, best_score = (number, sentence.rstrip(".")), score
    if best is None:
        return json.dumps({"quote": "", "answer": "NOT FOUND"})
    lead = "Der Vertrag sagt:" if "Answer in German" in prompt else "The contract says:"
    return json.dumps({"quote": best[1], "answer": f'{lead} "{best[1]}".'})


@pytest.fixture
def library(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "cgv.txt").write_text(CGV, encoding="utf-8")
    (docs / "northwind.txt").write_text(ENGLISH, encoding="utf-8")

    def make(generator):
        assistant = Assistant(tmp_path / "index", embedder=HashEmbedder(), generator=generator,
                              multilingual_embedder=GlossaryEmbedder())
        assistant.ingest([docs])
        return assistant

    return make


def final(events) -> Answer:
    answer = list(events)[-1]
    assert isinstance(answer, Answer)
    return answer


def test_an_english_question_about_a_french_contract_is_answered_in_english_with_a_french_quote(library):
    generator = ScriptedGenerator(respond=quoting_reply)
    assistant = library(generator)
    answer = final(assistant.ask("What is the liability limited to under the Nuage CGV?"))
    prompt = generator.calls[-1][-1]["content"]
    assert "Answer in English. Copy the quote in the passage's own language." in prompt
    assert not answer.abstained and answer.text.startswith("The contract says:")
    [citation] = answer.citations
    assert citation.doc_name == "cgv.txt" and "plafonnée" in citation.quote
    page = assistant.index.catalog.page(citation.source_id, citation.page)
    assert page.text[citation.start:citation.end] == citation.quote  # verbatim, in French
    assert normalise_space(citation.quote) in answer.text  # the quote is what the answer says


def test_a_german_question_gets_a_german_prompt_and_answer(library):
    generator = ScriptedGenerator(respond=quoting_reply)
    answer = final(library(generator).ask("Welches anwendbare Recht gilt für den Vertrag?"))
    assert "Answer in German." in generator.calls[-1][-1]["content"]
    assert not answer.abstained and answer.text.startswith("Der Vertrag sagt:")
    assert "droit français" in answer.citations[0].quote


def test_english_questions_about_english_passages_keep_the_prompt_as_it_was(library):
    generator = ScriptedGenerator()
    answer = final(library(generator).ask("Which law governs the Northwind Components supply agreement?",
                                          filters=SearchFilters(documents=("northwind.txt",))))
    assert "Answer in" not in generator.calls[-1][-1]["content"] and "Ireland" in answer.text


def test_the_missing_clause_check_stands_aside_for_a_french_contract(library):
    assistant = library(ScriptedGenerator())
    catalog = assistant.index.catalog
    ids = {d.name: d.source_id for d in assistant.documents()}
    passages = tuple(assistant.search("liability", k=3))
    checklists = all_checklists()
    # The English contract has no liability clause: the check says so, without the model.
    _, reason = gate(catalog, "What is the cap on liability under the Northwind agreement?", [ids["northwind.txt"]],
                     passages, checklists, 0.0)
    assert "no clause on" in reason
    # The French one has one, in French, which the English signals cannot see: no refusal.
    for question in ("What is the cap on liability under the Nuage CGV?",
                     "Quel est le plafond de responsabilité prévu par les CGV de Nuage ?"):
        _, reason = gate(catalog, question, [ids["cgv.txt"]], passages, checklists, 0.0)
        assert reason == ""


def test_a_refusal_in_german_or_french_abstains(library):
    for reply, question in (("Die Passagen enthalten keine Angaben dazu.", "Welche Frist gilt für die Kündigung bei Nuage?"),
                            ("Les passages ne contiennent pas cette information.", "Quel préavis pour la résiliation ?")):
        answer = final(library(ScriptedGenerator(script=reply)).ask(question))
        assert answer.abstained and answer.citations == ()


def test_an_unverifiable_cross_language_answer_shows_the_clause_alone(library):
    """"twelve" is "douze" in the contract: the statement cannot be checked, so the answer shows
    the first passage's clause, in French, and says the model's answer is not shown."""
    script = json.dumps({"quote": "", "answer": "The supplier's liability is limited to the fees of the last twelve months."})
    answer = final(library(ScriptedGenerator(script=script)).ask("What is the liability limited to under the Nuage CGV?"))
    assert not answer.abstained and answer.quoted
    assert answer.text.startswith(UNVERIFIED_LEAD) and "twelve" not in answer.text
    assert answer.citations[0].doc_name == "cgv.txt"


def test_an_unsupported_answer_in_the_passages_language_is_not_shown(library):
    script = json.dumps({"quote": "", "answer": "Le contrat concerne les bases lunaires."})
    answer = final(library(ScriptedGenerator(script=script)).ask(
        "Quel est le droit applicable au contrat de Nuage ?", filters=SearchFilters(documents=("cgv.txt",))))
    # Checkable in the passages' language, and unsupported: never shown (the clause alone, or an
    # abstention where no sentence holds the question's subject beyond the words naming the document).
    assert (answer.quoted or answer.abstained) and "lunaires" not in answer.text


def test_the_language_instruction_follows_the_question_and_the_passages(library):
    assistant = library(ScriptedGenerator())
    french = tuple(h for h in assistant.search("responsabilité plafonnée", k=3) if h.doc_name == "cgv.txt")
    english = tuple(h for h in assistant.search("governed by the laws of Ireland", k=3) if h.doc_name == "northwind.txt")
    assert language_instruction("What is the cap?", english) == ""
    assert "Answer in English" in language_instruction("What is the cap?", french)
    assert "Answer in French" in language_instruction("Quel est le plafond ?", french)
    assert "Answer in German" in language_instruction("Welches Recht gilt für den Vertrag?", english)


def test_the_name_check_keeps_only_untranslatable_names_for_documents_in_another_language(library):
    assistant = library(ScriptedGenerator())
    catalog = assistant.index.catalog
    ids = {d.name: d.source_id for d in assistant.documents()}
    passages = tuple(assistant.search("droit applicable", k=3))
    # "French" is "français" in the contract: not a document the user forgot to add.
    _, reason = gate(catalog, "Is the Nuage CGV governed by French law?", [ids["cgv.txt"]], passages, (), 0.0)
    assert reason == ""
    # An acronym reads the same in every language: no indexed text mentions DORA.
    _, reason = gate(catalog, "What does DORA require under the Nuage CGV?", [ids["cgv.txt"]], passages, (), 0.0)
    assert reason == 'No indexed document mentions "dora".'
    # In English about English documents every unknown name still counts.
    _, reason = gate(catalog, "Which law governs the Monsanto agreement?", [ids["northwind.txt"]], passages, (), 0.0)
    assert "monsanto" in reason
