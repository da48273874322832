"""Custom Rasa graph components (the only project code besides actions/ that imports Rasa)."""
