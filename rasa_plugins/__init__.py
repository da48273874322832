"""Runtime plugins Rasa loads from credentials.yml and endpoints.yml (they may import Rasa; bot/ never does)."""
