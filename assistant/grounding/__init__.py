"""Grounding: whether the index holds evidence for a question before the model runs (evidence.py),
and whether what the model wrote is backed by the passages after it (citations.py). Running
headers and footers are kept from the model and removed from its reply (running_lines.py)."""
