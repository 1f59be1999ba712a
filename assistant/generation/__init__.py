"""Grounded answers: prompts, generators, and the mapping of citations back to the sources."""
