"""Words, sentences, headings and whitespace: the few text rules every stage shares, written once.

Contract text reaches us from PDFs that break lines mid-sentence, number clauses "3.1" and write
headings in capitals, so each rule here says how it treats those.
"""

from __future__ import annotations

import re

# Words that carry no signal in a question ("what", "does", "the"): left out of BM25 queries, of
# the support an answer sentence needs, and of the words a clause check compares.
STOPWORDS = frozenset(
    """a an and are as at be by can do does for from has have how i if in is it its may must of on or
    over shall should such than that the their them then there these they this to under was were what
    when where which who whom why will with would any all into about after before between each""".split()
)


def normalise_space(text: str) -> str:
    """Runs of whitespace (PDF line breaks, no-break spaces) as one space, ends trimmed."""
    return " ".join(text.split())


def words(text: str) -> list[str]:
    """Every word, lower-cased, in order."""
    return re.findall(r"\w+", text.lower())


def content_words(text: str) -> list[str]:
    """The words that can carry signal, lower-cased, in order, without repeats."""
    found = []
    for word in words(text):
        if word not in STOPWORDS and word not in found and (len(word) > 1 or word.isdigit()):
            found.append(word)
    return found


def _sentence_pattern(stops: str) -> re.Pattern:
    # A sentence starts at a non-space character and ends at a stop (closing quotes and brackets
    # included) before whitespace or the end, at a blank line, or at the end of the text. So "3.1"
    # and "12.5%" never end one, and neither does a single line break: PDF text breaks lines
    # mid-sentence, and a quote cut at a line end ("shall notify Customer without undue delay,
    # and in") would not be the clause.
    return re.compile(rf"\S.*?(?:[{re.escape(stops)}][\"”’')\]]*(?=\s|$)|(?=\n[ \t]*\n)|$)", re.S)


_SENTENCES = {stops: _sentence_pattern(stops) for stops in (".!?", ".;!?")}


def sentence_spans(text: str, stops: str = ".!?") -> list[tuple[int, int]]:
    """(start, end) of every sentence of `text`. `stops` may add ';' where a clause's parts
    ("(a) ...; (b) ...") are quoted on their own."""
    pattern = _SENTENCES.get(stops) or _sentence_pattern(stops)
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def sentences(text: str, stops: str = ".!?") -> list[str]:
    return [text[a:b].strip() for a, b in sentence_spans(text, stops) if text[a:b].strip()]


MAX_HEADING = 100  # characters; a capitalised line longer than this is a clause written in capitals


def is_heading(line: str) -> bool:
    """A heading or a table header: a short line in capitals, or whose every word of four letters
    or more is capitalised ("9. GOVERNING LAW", "Limitation of Liability", "Title  Filing Date
    Expiration Date"). Short words ("of", "and", "law") do not decide; running text does not pass,
    since it has lower-case words of four letters or more."""
    line = line.strip()
    if not line or len(line) >= MAX_HEADING:
        return False
    longer = re.findall(r"[^\W\d_]{4,}", line)
    return line.isupper() or (bool(longer) and all(w[0].isupper() for w in longer))
