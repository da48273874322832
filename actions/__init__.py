"""Rasa SDK actions: thin adapters between the tracker and the pure modules in bot/."""
