"""Grounded explanations: the guide, retrieval over its sections, and answers that cite them."""
