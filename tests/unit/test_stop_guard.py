"""components/stop_guard.py: a `stop` guess stands only with a word that says stop."""

from rasa.shared.nlu.training_data.message import Message

from components.stop_guard import StopGuard


def _message(text, ranking):
    ranking = [{"name": n, "confidence": c} for n, c in ranking]
    return Message(data={"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking})


def test_a_stop_guess_without_a_stop_word_gives_way_to_the_next_intent():
    name = _message("Ada Zorvathalt", [("stop", 0.82), ("inform", 0.1)])
    real = _message("please stop", [("stop", 0.9), ("inform", 0.1)])
    StopGuard().process([name, real])
    assert name.get("intent")["name"] == "inform" and name.get("intent_ranking")[0]["name"] == "inform"
    assert real.get("intent")["name"] == "stop"
