"""Crisis language: deterministic patterns checked on every message before the classifier's guess counts.

Recall matters more than precision here: a false alarm costs one kind message with 988 and 911;
a miss can cost a life. Patterns cover suicide, self-harm and intent to overdose.
"""

from __future__ import annotations

import re

_MEDS = r"(?:pills?|meds?|medications?|medicines?|tablets?|oxy\w*|xanax|percs?|opioids?|benzos?|sleeping\s+pills)\b"
_PATTERNS = [
    r"\b(?:kill|killing|hurt|hurting|harm|harming|cut|cutting|burn|burning)\s+my\s?self\b",
    r"\bkms\b",
    r"\bsuicid\w*",
    r"\bself[\s-]?harm\w*",
    r"\b(?:end|ending|take|taking)\s+(?:my|my own)\s+life\b",
    r"\bend(?:ing)?\s+(?:it\s+all|everything|things)\b",
    r"\b(?:don'?t|do not|no longer)\s+want\s+to\s+(?:live|be alive|be here|exist|wake up)\b",
    r"\b(?:want|wanna|going|gonna|plan(?:ning)?)\s+(?:to\s+)?die\b",
    r"\bwish\s+i\s+(?:was|were)\s+(?:dead|gone|never\s+born|not\s+(?:alive|here))\b",
    r"\bwish\s+i\s+(?:wasn'?t|weren'?t)\s+(?:alive|here|born)\b",
    r"\bwish\s+i\s+(?:could|would)\s+(?:just\s+)?(?:die|not\s+wake\s+up)\b",
    r"\bbetter\s+off\s+dead\b",
    r"\b(?:no|not\s+\w+)\s+reason\s+to\s+live\b",
    r"\boverdos\w*\s+on\s+purpose\b",
    r"\b(?:take|taking|took|swallow|swallowing|swallowed)\s+(?:all|every(?:thing)?|a\s+(?:whole\s+)?bottle|the\s+whole\s+bottle)\b.*\b(?:pills?|meds?|medications?|tablets?|oxy\w*|xanax|of\s+(?:them|it))\b",
    r"\b(?:going|gonna|want|wanna|plan(?:ning)?)\s+(?:to\s+)?overdose\b",
    r"\b(?:think|thinking|thought|thoughts)\s+(?:about|of)\s+(?:overdos\w*|od'?ing|killing\s+myself|ending\s+(?:it|my\s+life))\b",
    r"\bod\s+on\s+purpose\b",
    # stockpiling medication, or planning to take it all at once
    r"\b(?:stockpiling|stockpiled|hoarding|hoarded|stashing)\s+(?:up\s+)?(?:my\s+|all\s+my\s+)?" + _MEDS,
    r"\b(?:saving|saved)\s+(?:up\s+)?(?:my\s+|all\s+my\s+)?" + _MEDS + r".*\b(?:all\s+at\s+once|at\s+the\s+same\s+time|in\s+one\s+go|to\s+(?:die|end|overdose|od))\b",
    r"\b(?:going\s+to|gonna|want\s+to|wanna|will|i'll|planning\s+to|plan\s+to)\s+(?:take|swallow)\s+(?:them|it|my\s+\w+|all\s+of\s+them)\s+all\s+at\s+once\b",
    r"\b(?:want|wish|hope|rather)\b.*\b(?:not|never|\w*n'?t)\s+wake\s+up\b",
    r"\bcan'?t\s+(?:go\s+on|take\s+(?:it|this)\s+any\s?more)\b.*\b(?:die|dead|end|life|live)\b",
]
CRISIS_RE = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)
# A daily routine, not intent: "I take all my pills in the morning". Only this exact shape is set aside
# ("I'm going to take all my pills in the morning" still matches above).
_ROUTINE = re.compile(
    r"\bi\s+(?:usually\s+|always\s+|normally\s+)?take\s+all\s+(?:of\s+)?my\s+(?:pills|meds|medications|medicines|tablets)\s+"
    r"(?:in\s+the\s+(?:morning|evening)|at\s+(?:night|bedtime)|with\s+(?:breakfast|lunch|dinner|food|meals?)|"
    r"every\s+(?:day|morning|night|evening)|as\s+prescribed)\b",
    re.IGNORECASE,
)


def is_crisis(text: str) -> bool:
    """True when the message contains crisis language."""
    return bool(text) and bool(CRISIS_RE.search(_ROUTINE.sub(" ", text)))
