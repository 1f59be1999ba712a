"""Which language a text is in: English, German or French, from its commonest function words.

Function words ("the", "der", "les") are the most frequent words of any running text in these
languages and almost never shared between them, so counting them tells the three apart on a few
sentences already, without a model. Anything else, or a text too short to tell, is reported as
English, the language the rest of the pipeline assumes by default.
"""

from __future__ import annotations

import re

ENGLISH, GERMAN, FRENCH = "en", "de", "fr"
LANGUAGES = (ENGLISH, GERMAN, FRENCH)

_FUNCTION_WORDS = {
    ENGLISH: {"the", "of", "and", "to", "in", "is", "that", "for", "by", "with", "shall", "be", "or",
              "any", "this", "which", "are", "on", "as", "such"},
    GERMAN: {"der", "die", "das", "und", "den", "des", "dem", "ist", "nicht", "mit", "zu", "von",
             "für", "auf", "eine", "einer", "oder", "werden", "wird", "sind", "im", "dass"},
    FRENCH: {"le", "la", "les", "des", "et", "du", "est", "une", "dans", "pour", "que", "qui", "au",
             "aux", "sur", "par", "ne", "pas", "sont", "ou", "cette", "être"},
}
_WORD = re.compile(r"[^\W\d_]+")
MIN_HITS = 3  # below this many function words the text is too short to tell


def detect_language(text: str, sample_chars: int = 20_000) -> str:
    counts = {lang: 0 for lang in LANGUAGES}
    for word in _WORD.findall(text[:sample_chars].lower()):
        for lang, words in _FUNCTION_WORDS.items():
            if word in words:
                counts[lang] += 1
    best = max(LANGUAGES, key=lambda lang: counts[lang])
    return best if counts[best] >= MIN_HITS else ENGLISH


# Letters that only one of the two other languages writes: a short question ("Kündigungsfrist?",
# "Quel préavis ?") has too few function words to count, but its letters still tell.
_GERMAN_LETTERS = set("äöüß")
_FRENCH_LETTERS = set("éèêàâçîïôûùœë")
LANGUAGE_NAMES = {ENGLISH: "English", GERMAN: "German", FRENCH: "French"}


def question_language(question: str) -> str:
    """The language of a question, which the answer is written in: function words when there are
    any (a single one decides a short question), else letters only German or French writes, else
    English."""
    counts = {lang: 0 for lang in LANGUAGES}
    for word in _WORD.findall(question.lower()):
        for lang, words in _FUNCTION_WORDS.items():
            if word in words:
                counts[lang] += 1
    ranked = sorted(LANGUAGES, key=lambda lang: -counts[lang])
    if counts[ranked[0]] and counts[ranked[0]] > counts[ranked[1]]:
        return ranked[0]
    letters = set(question.lower())
    german, french = bool(letters & _GERMAN_LETTERS), bool(letters & _FRENCH_LETTERS)
    if german != french:
        return GERMAN if german else FRENCH
    return ENGLISH
