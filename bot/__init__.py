"""Business logic of the screening assistant, kept free of Rasa imports so it can be tested alone."""
