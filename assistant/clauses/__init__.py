"""Clause knowledge: checklists, the signals that find a clause's sentences, and whether a document has a clause at all. Answering and review both build on it; neither imports the other."""
