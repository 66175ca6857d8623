"""Evaluation: metrics and the scorers behind ``storyline eval``."""
