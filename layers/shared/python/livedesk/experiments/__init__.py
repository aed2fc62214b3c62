"""A/B experiments on routing and answers: definitions, deterministic assignment, results."""
