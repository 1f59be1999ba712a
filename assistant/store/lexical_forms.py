"""The word forms the lexical (BM25) index holds for German and French text, and the query words
that match them.

FTS5's tokenizer (`porter unicode61`) folds case and removes accents, but it stems English only
and keeps "ß" ("Straße" never met "Strasse"). A custom FTS5 tokenizer cannot be registered from
Python, so the forms are made here, before FTS5 sees the text, and FTS5 then tokenises them as it
tokenises English: the index, its BM25 statistics and `store/lexical.py` stay FTS5's own.

- English documents go in as they are (only "ß" becomes "ss"), so English ranking is unchanged.
- A German or French document goes in as a string of word forms: each word folded (accents off,
  "ß" to "ss", lower case) and then stemmed with that language's Snowball stemmer, so
  "Auftragsverarbeiter" and "Auftragsverarbeitung" are both "auftragsverarbeit", and "données" and
  "donnees" both "donne". Folding comes first so a word typed without its accents stems the same.
- German compounds: a compound is also indexed under its parts when each part occurs as a word of
  its own in the same document ("Auftragsverarbeitung" adds "auftrag" and "verarbeit", since the
  document also says "Auftrag" and "Verarbeitung"), with the linking "s", "es", "n", "en" or "e"
  of the first part dropped. So a question saying "Verarbeitung" finds the compound. A split
  needs both parts from the document's own words (no dictionary ships), each at least four letters
  long and not a function word; anything else stays one word.
- A query is stemmed in its own language when its function words show one and documents in that
  language are searched. A query with no function words at all ("Auftragsverarbeiter Weisung",
  "café") is stemmed in the language its umlauts or accents suggest, or in the one language of
  the documents searched, and searched as plain English words too. Else it is English. The
  chosen language's function words are left out, as English ones always are.

The catalog records each document's language (`lexical_language`), since a query scoped to a
document and a word count (`chunk_frequency`) must use that document's forms.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable

import snowballstemmer

from assistant.language import ENGLISH, FRENCH, GERMAN, detect_language
from assistant.text import STOPWORDS, content_words

# FTS5's unicode61 cuts at everything that is not a letter or a digit; so does this.
_TOKEN = re.compile(r"[^\W_]+")

# Function words left out of a German or French query (a question's "der", "les" match nearly
# every passage); also the words that tell a short question's language.
FUNCTION_WORDS = {
    GERMAN: frozenset("""aber als am an auch auf aus bei bis da damit dann das dass dem den denen der
        deren des dessen die dies diese diesem diesen dieser dieses durch ein eine einem einen einer
        eines er es für gegen hat haben ihr ihre im in ist kann können muss müssen nach nicht noch
        nur ob oder ohne sich sie sind so soll sollen über um und uns unter vom von vor wann was
        welche welcher welches wem wen wenn wer werden wie wird wo zu zum zur darf dürfen gemäß""".split()),
    FRENCH: frozenset("""à au aux avec ce ces cet cette comme dans de des du elle en est et être il ils
        la le les leur leurs lui mais ne ni non ou où par pas pour qu que quel quelle quelles quels
        qui sa se selon ses son sont sur un une vers doit doivent peut peuvent quoi comment quand
        dont ont été lorsque si sans""".split()),
}
_HINT = {GERMAN: re.compile(r"[äöüß]", re.I), FRENCH: re.compile(r"[éèêëàâçîïôûùœ]", re.I)}
_STEMMER_NAME = {GERMAN: "german", FRENCH: "french"}
_LINKS = ("es", "en", "s", "n", "e")  # German linking elements, longest first: Auftrag-s-, Frau-en-
# A word hyphenated at a line end with a soft hyphen ("organisation\u00ad\nnelles", as the
# Official Journal's PDFs do) is one word.
_SOFT_HYPHEN = re.compile(r"\u00ad\s*")
MIN_PART = 4  # letters, of each part of a compound split
MIN_COMPOUND = 2 * MIN_PART


def fold(word: str) -> str:
    """Lower case, accents off, "ß" as "ss", "œ"/"æ" as two letters: how a user may type it."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("œ", "oe").replace("æ", "ae")


@lru_cache(maxsize=None)
def _stemmer(language: str):
    return snowballstemmer.stemmer(_STEMMER_NAME[language])


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """The indexed form of one word of a German or French text."""
    folded = fold(word)
    return _stemmer(language).stemWord(folded) if language in _STEMMER_NAME else folded


def document_language(texts: Iterable[str], sample_chars: int = 20_000) -> str:
    """A document's language, from its first pages (as the chunker decides it)."""
    sample, size = [], 0
    for text in texts:
        sample.append(text)
        size += len(text)
        if size >= sample_chars:
            break
    return detect_language("\n".join(sample), sample_chars)


def lexicon(texts: Iterable[str], language: str) -> frozenset[str]:
    """The stems of a document's words: what a compound's parts are looked up in."""
    if language != GERMAN:
        return frozenset()
    return frozenset(stem(w, language) for text in texts for w in _TOKEN.findall(_SOFT_HYPHEN.sub("", text)))


def index_text(text: str, language: str, known: frozenset[str] = frozenset()) -> str:
    """What the FTS5 table holds for this text: the text itself for English (only "ß" folded),
    else its word forms in order, each German compound followed by its parts."""
    if language not in _STEMMER_NAME:
        return text.replace("ß", "ss").replace("ẞ", "SS")
    forms = []
    for word in _TOKEN.findall(_SOFT_HYPHEN.sub("", text)):
        form = stem(word, language)
        forms.append(form)
        if known and len(form) >= MIN_COMPOUND and not form.isdigit():
            forms.extend(compound_parts(form, known))
    return " ".join(forms)


def compound_parts(form: str, known: frozenset[str], depth: int = 2) -> list[str]:
    """The parts of a German compound's stem, each a stem of a word in `known`; [] when it is not
    one. The split keeping the longest last part (the compound's head noun) wins; each part is
    split again, `depth` levels down ("datenschutzbeauftragt" -> "datenschutz", "dat", "schutz",
    "beauftragt")."""
    best = None
    for cut in range(MIN_PART, len(form) - MIN_PART + 1):
        head, tail = form[:cut], form[cut:]
        if tail not in known or tail in FUNCTION_WORDS[GERMAN]:
            continue
        first = _first_part(head, known)
        if first:
            best = (first, tail)
            break  # cuts go left to right, so the first found keeps the longest tail
    if best is None:
        return []
    parts = []
    for part in best:
        parts.append(part)
        if depth > 1 and len(part) >= MIN_COMPOUND:
            parts.extend(compound_parts(part, known, depth - 1))
    return parts


def _first_part(head: str, known: frozenset[str]) -> str:
    """The stem of a compound's first part, with or without its linking element; "" if none."""
    candidates = [head] + [head[: -len(link)] for link in _LINKS if head.endswith(link)]
    for candidate in candidates:
        if len(candidate) < MIN_PART - 1 or candidate in FUNCTION_WORDS[GERMAN]:
            continue
        for form in (candidate, stem(candidate, GERMAN)):
            if form in known and len(form) >= MIN_PART - 1:
                return form
    return ""


def query_language(query: str, languages: Iterable[str]) -> str:
    """The language whose forms a query's words are given in, among the `languages` of the
    documents searched; see `query_choice`."""
    return query_choice(query, languages)[0]


def query_choice(query: str, languages: Iterable[str]) -> tuple[str, bool]:
    """(language, sure) for a query over documents in `languages`: the query's own language when
    its function words show one of them (sure); else, for a query with no English function word,
    the language its umlauts or accents suggest, or the one language of the documents searched
    (not sure: "café" may be an English document's word); else English (sure). A collection of
    English documents only is searched exactly as plain text."""
    languages = set(languages)
    if not languages - {ENGLISH}:
        return ENGLISH, True
    found = detect_language(query)
    if found != ENGLISH:
        return (found, True) if found in languages else (ENGLISH, True)
    tokens = [w.lower() for w in _TOKEN.findall(query)]
    english = sum(w in STOPWORDS for w in tokens)
    words = {lang: sum(w in FUNCTION_WORDS[lang] for w in tokens) for lang in languages - {ENGLISH}}
    best = max(sorted(words), key=words.get)
    if words[best] > english:
        return best, True
    if english == 0:
        hints = {lang: len(_HINT[lang].findall(query)) for lang in words}
        hinted = max(sorted(hints), key=hints.get)
        if hints[hinted]:
            return hinted, False
        if len(languages) == 1:
            return best, False
    return ENGLISH, True


def query_words(query: str, language: str, sure: bool = True) -> list[str]:
    """The words of a BM25 query for documents indexed in `language`, without repeats. When the
    language is not `sure`, the words as English text holds them are searched as well."""
    if language not in _STEMMER_NAME:
        return [w.replace("ß", "ss") for w in content_words(query)]
    skip = FUNCTION_WORDS[language] | STOPWORDS
    found: list[str] = [] if sure else query_words(query, ENGLISH)
    for word in _TOKEN.findall(query.lower()):
        if word in skip or fold(word) in skip or (len(word) < 2 and not word.isdigit()):
            continue
        form = stem(word, language)
        if form not in found:
            found.append(form)
    return found
