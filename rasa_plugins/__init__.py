"""Runtime plugins that Rasa loads from endpoints.yml / credentials.yml (these may import Rasa; bot/ must not)."""
