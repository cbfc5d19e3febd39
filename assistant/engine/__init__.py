"""The dialogue engine: NLU, dialogue manager and action executor."""
