"""Document review: the same checklist of questions asked of every document, with cited evidence."""
