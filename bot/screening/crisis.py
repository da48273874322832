"""Crisis language: deterministic patterns over the Columbia (C-SSRS) range, checked on every message.

Recall matters more than precision here: a false alarm costs one kind message with 988 and 911;
a miss can cost a life. Patterns are built from parts (who, a verb family in every inflection, whom)
rather than listed sentences, on text normalised for case, apostrophes, stretched letters, common
typos and slang. Guards first blank out the everyday idioms chronic-pain patients use ("this pain is
killing me", "cut back on my meds"), accidents ("I burned myself cooking"), plain denials ("I'm not
suicidal") and questions about treatment, so those spans cannot trigger; the rest of the message
still can. The learned layer (components/crisis_detector.py) sits beside these patterns and uses
`is_everyday_idiom` to keep its low bar from firing on idioms.
"""

from __future__ import annotations

import re
from typing import List, Optional

# ---- normalisation ----------------------------------------------------------------------------------
_SPELLING = [  # (typo or slang, normal form); applied on word boundaries after lowercasing
    (
        r"(?:my\s?sel[fv]e?|my\s?slef|mysefl|myelf|mself|meself|myslf|my\s+sef|myselfe)(?![\s-]*(?:harm|injur|mutilat))",
        "myself",
    ),
    (r"kil|kll|kiil|kiill", "kill"),
    (r"killin", "killing"),
    (r"un[\s-]?alive|unalived|unaliving", "unalive"),
    (
        r"su[i1!]c[i1!]?d[e3]|sucide|suiside|suicde|suacide|suicyde|sewer-?\s?slide|s\*icide|su\*cide|sucidal|suicidle|suisidal|suicdal",
        "suicide",
    ),
    (r"wanna|wana|wnna|wan to|wnt to|want 2|wanna", "want to"),
    (r"gonna|gunna|finna|gona", "going to"),
    (r"im", "i'm"),
    (r"ive", "i've"),
    (r"dont|don't|dnt", "don't"),
    (r"cant|can't|cnt", "can't"),
    (r"wont", "won't"),
    (r"didnt", "didn't"),
    (r"wasnt", "wasn't"),
    (r"werent", "weren't"),
    (r"isnt", "isn't"),
    (r"doesnt", "doesn't"),
    (r"wouldnt", "wouldn't"),
    (r"havent", "haven't"),
    (r"itll", "it'll"),
    (r"d1e|dye(?=\s*(?:[.!?]|$))", "die"),
    (r"2 die", "to die"),
    (r"od'?ing|od'?d|o\.d\.?", "od"),
    (r"bc|cuz|coz|cause", "because"),
    (r"any\s+more", "anymore"),
]
_SPELLING_RE = [(re.compile(rf"\b(?:{a})\b"), b) for a, b in _SPELLING]


def normalise(text: str) -> str:
    """Lowercase, straight apostrophes, one space, stretched letters shortened ("dieeee"), typos fixed."""
    t = (text or "").lower()
    t = re.sub(r"[’‘`´]", "'", t)
    t = re.sub(r"([a-z])\1{2,}", r"\1", t)  # "killll" -> "kil" (fixed below), "dieee" -> "die"
    t = re.sub(r"\s+", " ", t).strip()
    for rx, repl in _SPELLING_RE:
        t = rx.sub(repl, t)
    return t


# ---- building blocks ----------------------------------------------------------------------------------
ME = r"(?:myself|my own self)"
THEM = r"(?:himself|herself|themselves|themself|hisself)"
WHO = r"(?:he|she|they|him|her|them|(?:my|our|a|his|her)\s+(?:\w+\s+)?(?:son|daughter|wife|husband|partner|sister|brother|sis|bro|mom|mum|mother|dad|father|friend|bestie|bff|boyfriend|girlfriend|bf|gf|kid|child|teen|teenager|roommate|cousin|aunt|uncle|grandma|grandpa|grandmother|grandfather|nephew|niece|fianc[eé]e?|spouse|coworker|co-worker|neighbou?r|stepson|stepdaughter|sibling|parent)s?|someone|somebody)"
MEDS = r"(?:pills?|meds?|medications?|medicines?|tablets?|capsules?|oxy\w*|xanax|xannies|bars|percs?|percocets?|norcos?|opioids?|opiates?|benzos?|sleeping\s+pills|painkillers?|pain\s+killers?|tylenol|advil|ibuprofen|acetaminophen|gabapentin|lyrica|tramadol|morphine|fentanyl|ambien|klonopin|valium|ativan|seroquel|insulin|prescriptions?|script|bottle|stash|supply|everything\s+in\s+the\s+(?:cabinet|medicine\s+cabinet))"
# every inflection of the verbs that kill or injure, so tense never matters
KILL = r"(?:kill(?:s|ed|ing)?|murder(?:s|ed|ing)?|off(?:ed|ing)?|unalive(?:s|d)?|unaliving|hang(?:s|ed|ing)?|hung|shoot(?:s|ing)?|shot|drown(?:s|ed|ing)?|poison(?:s|ed|ing)?|suffocate[sd]?|suffocating|stab(?:s|bed|bing)?|strangle[sd]?|strangling|electrocute[sd]?|gas(?:sed|sing)?|end(?:s|ed|ing)?|destroy(?:s|ed|ing)?\s+(?=myself\s+for\s+good))"
HARM = r"(?:hurt(?:s|ing)?|harm(?:s|ed|ing)?|cut(?:s|ting)?|burn(?:s|ed|t|ing)?|hit(?:s|ting)?|punch(?:es|ed|ing)?|scratch(?:es|ed|ing)?|slash(?:es|ed|ing)?|carv(?:e|es|ed|ing)|slap(?:s|ped|ping)?|bang(?:s|ed|ing)?|bite?(?:s|ing)?|bit|starv(?:e|es|ed|ing)|mutilat(?:e|es|ed|ing)|injur(?:e|es|ed|ing)|bruis(?:e|es|ed|ing))"
WANT = r"(?:want(?:s|ed)?\s+to|wish(?:ed)?\s+(?:i\s+could|to)|going\s+to|gonna|plan(?:ning|s)?\s+(?:on|to)|intend(?:ing)?\s+to|about\s+to|ready\s+to|tempted\s+to|might|may|will|i'll|i'd|should(?:\s+just)?|could(?:\s+just)?|feel\s+like|thinking\s+(?:of|about)|think(?:ing)?\s+about|thought\s+(?:of|about)|urge\s+to|need\s+to|have\s+to|decided\s+to|trying\s+to|tried\s+to|try\s+to)"
END_LIFE = r"(?:end(?:s|ed|ing)?|take|taking|took|taken)\s+(?:my|his|her|their)\s+(?:own\s+)?li(?:fe|ves)"
DEATH_WISH = r"(?:dead|gone|not\s+(?:alive|here|around|born)|never\s+(?:been\s+)?born|no\s+longer\s+(?:alive|here|around)|in\s+the\s+ground|six\s+feet\s+under)"

# ---- guards: spans blanked out before the patterns run -------------------------------------------------
_IDIOMS = [
    # pain and everyday hyperbole
    r"\b(?:is|are|was|were|'s|'re|been|keeps?|kept|be|it's|its|that's|they're|you're|u r|ur)\s+(?:\w+\s+)?(?:killing|murdering|slaying|torturing|destroying)\s+(?:me|us|my\s+\w+)\b",
    r"\b(?:it|this|that|pain|back|neck|head|legs?|knees?|form|job|insurance|commute|kids?|\w+ache)\s+(?:will|gonna|going\s+to|might|could)\s+(?:be\s+the\s+death\s+of|kill)\s+me\b",
    r"\bkill(?:s|ing)?\s+me\s+(?:now\b|lol|lmao|haha)|\b(?:going\s+to|gonna|will|'ll|might|could|is|'s|was|be)\s+(?:be\s+)?the\s+death\s+of\s+(?:me|us)\b",
    r"\bdying\s+(?:to|for|of\s+(?:curiosity|laughter|boredom|embarrassment|thirst|hunger))\b",
    r"\bi'm\s+dying\s+(?:here|over\s+here|lol|lmao)\b",
    r"\b(?:feel(?:s|ing)?|felt)\s+like\s+(?:i'm|i\s+am|i\s+was|i\s+was\s+going\s+to\s+be|i\s+could\s+be)\s+dying\b",
    r"\b(?:would|'d|could)\s+(?:literally\s+)?(?:kill|die)\s+for\b|\b(?:i'd|i\s+would|i'll|i\s+will|i\s+could|i\s+might|i\s+may|you\s+(?:can|could|might|may))\s+(?:literally\s+|probably\s+|just\s+|actually\s+)?die\s+(?:without|if|of|when|from)\b",
    r"\bkill(?:ing)?\s+(?:for|to\s+(?:get|have|sleep|know))\b",
    r"\bkill(?:s|ed|ing)?\s+(?:the|this|that|my|some|a\s+few)\s+(?:pain|headache|migraine|time|hours?|buzz|mood|vibe|nerve|bacteria|germs?|bugs?|weeds?|plants?|battery|conversation|joke|engine)\b",
    r"\b(?:pain\s?killers?|killer\s+(?:headache|migraine|pain|deal|workout|view)|serial\s+killer)\b",
    r"\b(?:die|died|dying|dead)\s+(?:of|from)\s+(?:boredom|embarrassment|laughter|laughing|shame|curiosity|old\s+age|excitement|happiness|cuteness|the\s+heat|hunger|thirst)\b",
    r"\bdie(?:d)?\s+laughing\b|\bdead\s+(?:tired|serious|on\s+my\s+feet|end|set|last|center|wrong|right|asleep|weight|battery)\b|\bdeadline\b|\bdead\s+(?:phone|battery)\b",
    r"\b(?:bored|scared|worried|sick|tired|frozen|annoyed|freezing)\s+to\s+death\b",
    r"\bover\s+my\s+dead\s+body\b|\bi\s+could\s+have\s+died\s+of\b|\bwould\s+rather\s+die\s+than\s+(?:miss|go\s+to\s+the\s+dentist|eat|wear|admit|ask|call|fill|pay|deal\s+with\s+(?:insurance|the\s+insurance|billing))\b",
    r"\b(?:an?\s+)?(?:overdos\w*|od)\s+(?:of|on)\s+(?:coffee|caffeine|sugar|chocolate|candy|carbs|tv|netflix|news|social\s+media|information|info|cuteness|sunshine|vitamin\s+\w+|screen\s+time|cat\s+videos|true\s+crime|reality\s+tv|christmas\s+music|homework|paperwork|work|emails?|cake|pizza|cookies|junk\s+food|energy\s+drinks?|gym|exercise)\b",
    # cutting and burning that is not self-harm
    r"\bcut(?:s|ting)?\s+(?:back|down|out|off|in\s+half|(?:it|them|the\s+\w+|my\s+\w+|a\s+pill|pills)\s+in\s+half|corners|ties|costs?|expenses|the\s+dose|my\s+dose|my\s+hours|my\s+hair|my\s+nails|the\s+grass|my\s+losses|the\s+lawn|carbs|sugar|gluten|dairy|alcohol|caffeine|coffee|me\s+off|in\s+line)\b",
    r"\bcut(?:s|ting)?\s+myself\s+(?:some\s+)?(?:slack|off\s+from|off\b|a\s+break|short)",
    r"\b(?:burn(?:ed|t|ing)?|wore|wear(?:ing)?|work(?:ed|ing)?|push(?:ed|ing)?|run(?:ning)?|ran)\s+myself\s+(?:out|down|ragged|into\s+the\s+ground|too\s+hard)\b",
    r"\bburn(?:ed|t|ing)?\s+out\b|\bburnout\b",
    r"\bbeat(?:ing|s)?\s+myself\s+up\b|\bkick(?:ing|ed)?\s+myself\b|\bshot\s+myself\s+in\s+the\s+foot\b|\bpinch(?:ing|ed)?\s+myself\b",
    r"\bkill(?:ing|ed)?\s+myself\s+(?:laughing|at\s+(?:work|the\s+gym|physio|pt)|working|trying\s+to\s+(?:keep|get|make|finish|pay)|to\s+(?:get|make|finish|keep|pay|meet))\b|\bkmsl\b",
    r"\bend(?:ed|ing)?\s+(?:it|things)\s+with\s+(?:him|her|them|my\s+\w+)\b(?!'s|\s+(?:gun|pistol|rope|pills|meds|belt|razor|knife))",
    r"\bend\s+of\s+my\s+rope\b|\bwit'?s\s+end\b",
    r"\b(?:phone|battery|laptop|computer|tablet|ipad|car|charger|plants?)(?:'s|\s+is)?\s+(?:about\s+to|going\s+to|gonna|might|will|is\s+going\s+to)\s+die\b",
    r"\b(?:was|is|are|were|been|be)\s+(?:absolute\s+|pure\s+|total\s+|sheer\s+)?murder\b",
    r"\bpull(?:ed|ing)?\s+the\s+trigger\s+on\b|\bshoot\s+me\s+(?:now|an?\s+\w+|a\s+text|a\s+message|an\s+email)\b|\bshoot\s+(?:you|them)\s+an?\s+(?:email|text|message)\b",
    r"\bhang(?:ing)?\s+(?:in\s+there|out|up|on)\b",
    r"\b(?:go|can\s+go|should\s+go|to\s+go)\s+jump\s+(?:off\s+a\s+(?:bridge|cliff)|in\s+a\s+lake)\b",
    # a loss told as a loss: "my dog died last week", "my dad died of cancer"
    r"\b(?:my|our|his|her|their)\s+(?:\w+\s+){0,2}(?:dog|cat|pet|horse|bird|mom|mum|mother|dad|father|grandma|grandpa|grandmother|grandfather|aunt|uncle|cousin|friend|brother|sister|husband|wife|partner|son|daughter|neighbou?r|coworker)\s+(?:died|passed\s+away|passed|was\s+killed|got\s+killed)\b(?:\s+(?:of|from|in)\s+(?:an?\s+)?\w+)?",
    r"\bsleep(?:ing)?\s+(?:like\s+the\s+dead|forever\s+(?:on\s+weekends|when\s+i\s+get\s+the\s+chance))\b",
]
# an injury that happened, not one made on purpose
_ACCIDENT = (
    rf"\b(?:accidentally\s+|by\s+accident\s+)?{HARM}\s+{ME}\s+"
    r"(?:(?:pretty\s+|really\s+|badly\s+|bad\s+)?(?:by\s+accident|accidentally|cooking|shaving|chopping|lifting|gardening|working\s+out|working|moving|carrying|"
    r"exercising|falling|playing|doing\s+\w+|slipping|ironing|baking|shoveling|hiking|running|walking|cleaning|reaching|bending|twisting|vacuuming|"
    r"at\s+(?:the\s+gym|work|pt|physio|physical\s+therapy)|in\s+the\s+(?:kitchen|garden|yard|shower|gym)|on\s+(?:a|the)\s+(?:stove|oven|pan|knife|glass|fence|door|corner|table|cabinet|edge|counter|iron|grill|kettle|can|paper|ice|stairs|curling\s+iron|hot\s+\w+)|"
    r"with\s+(?:the|a)\s+(?:kettle|iron|oven|stove|pan|weights|curling\s+iron|hot\s+\w+)|when\s+i\s+(?:fell|slipped|tripped|was\s+(?:cooking|lifting|moving|working))|"
    r"(?:worse|more|further|again)\s+(?:by|if|doing|lifting|exercising|at)))"
)
_ACCIDENT2 = rf"\baccidentally\s+{HARM}\s+(?:{ME}|{THEM}|my\s+\w+)\b"
# denials and a past that is over: "I'm not suicidal", "never hurt myself", "no thoughts of self-harm"
_FILLER = r"(?:(?:thoughts?|urges?|ideas?|going|gonna|to|ever|really|actually|planning|want|wanting|trying|tried|attempted|about|have|had|been|be|being|do|did|would|will|think|i'd|i|could|seriously|intend|plan|try|feel|feeling|felt|currently|thinking|considering|having|any|a|at\s+all|in\s+danger\s+of|at\s+risk\s+of|of|like)\s+){0,4}"
_NEG_TAIL = r"(?:\s*(?:,|or|and|nor|/)\s*(?:any\s+)?(?:suicid\w*|self[\s-]?harm\w*|attempts?|ideation|thoughts?|plans?)(?:\s+(?:thoughts?|attempts?|ideation|history|plans?))?)*"
_NEGATION = [
    rf"\b(?:not|never|no|n't|nor|deny|denies|denied|zero|without)\s+{_FILLER}(?:suicid\w*|self[\s-]?harm\w*|{KILL}\s+{ME}|{HARM}\s+{ME}|{END_LIFE}|unalive\w*)(?:\s+(?:thoughts?|ideation|feelings?|urges?|risk|history|plans?|attempts?|behaviou?rs?))?"
    + _NEG_TAIL,
    r"\b(?:no|never|zero|without|not\s+any)\s+(?:history\s+of\s+|prior\s+|previous\s+|past\s+)?(?:suicid\w*\s+)?(?:attempts?|ideation|self[\s-]?harm\w*)\b"
    + _NEG_TAIL,
    r"\b(?:no|never|not)\s+(?:i'm|i\s+am)\s+not\b",
]
# a question about ketamine or treatment, not a disclosure: "does ketamine help suicidal depression?"
_CLINICAL = r"\bsuicide\s+(?:rates?|risk|prevention|statistics|stats|screening)\b|\b(?:rates?|risk)\s+of\s+suicide\b|\b(?:patients|people)\b|\b(?:ketamine|esketamine|spravato|infusions?|treatments?|therapy|drugs?|medications?|antidepressants?|ssris?|side\s+effects?|studies|study|research|fda|trials?)\b"
_DISCLOSURE = r"\b(?:i|i'm|i've|i'd|i'll|me|my|myself|we|our)\b"
# a completed suicide of someone else, years ago: grief, not a present risk
_BEREAVED = rf"\b(?:committed\s+suicide|died\s+(?:by|of|from)\s+suicide|took\s+(?:his|her|their)\s+(?:own\s+)?li(?:fe|ves)|(?:killed|shot|hanged|hung)\s+{THEM}|lost\s+(?:\w+\s+){{1,3}}to\s+suicide|suicide\s+of\s+(?:my|a)\s+\w+)"
# recovery markers: history told as history
_RECOVERED = (
    r"\b(?:(?:haven't|have\s+not|hasn't|not|never)\s+(?:\w+\s+){0,3}(?:since|in\s+(?:years|\d+\s+years|a\s+long\s+time|decades|ages))|clean\s+(?:for|since)|"
    r"(?:\d+|many|several|a\s+few|two|three|four|five|ten|fifteen|twenty)\s+years?\s+(?:clean|free|sober)|years?\s+ago,?\s+(?:but|and)\s+(?:i'm|i\s+am|i've|i\s+have)\s+(?:been\s+)?(?:fine|ok|okay|good|well|doing|stable|better|in\s+a\s+good)|no\s+longer\s+(?:have|feel|think|self|cut|struggle|an\s+issue)|"
    r"(?:doing|feel|feeling)\s+(?:well|good|great|much\s+better|fine|a\s+lot\s+better)\s+now|in\s+a\s+(?:good|better|much\s+better)\s+place\s+now|stable\s+(?:now|for|since|ever\s+since)|"
    r"used\s+to\s+(?:\w+\s+){0,2}(?:self[\s-]?harm\w*|cut|burn|hurt\s+myself|sh)\b.{0,40}\b(?:as\s+a\s+(?:teen|teenager|kid|child)|in\s+(?:high\s+school|college|my\s+(?:teens|twenties|20s))|years?\s+ago)|"
    r"(?:it's|its|it\s+has)\s+been\s+(?:well\s+)?(?:over|more\s+than|many|several)\s+(?:\d+\s+|a\s+few\s+|ten\s+|twenty\s+)?years|"
    r"long\s+behind\s+me|behind\s+me\s+now|all\s+in\s+the\s+past|(?:low|no)\s+risk|not\s+a\s+risk|safe\s+now|got\s+help\s+and|"
    r"none\s+(?:since|now|in\s+years|for\s+years)|no\s+(?:issues|problems|episodes|thoughts|urges|attempts)\s+since|"
    r"(?:long|fully|completely)\s+recovered|recovered\s+(?:long\s+ago|years\s+ago)|different\s+life|got\s+better|"
    r"happier\s+than\s+(?:i've|i\s+have)\s+ever|(?:doing|feeling)\s+great|(?:happy|fine|good)\s+now)"
)
_PRESENT_RISK = (
    r"\b(?:again|lately|recently|tonight|today|right\s+now|these\s+days|this\s+week|this\s+month|last\s+(?:night|week)|yesterday|currently|still|coming\s+back|back\s+again|started\s+again|relapsed|"
    r"want\s+to\s+die|going\s+to|planning|plan\s+to)\b"
)

# ---- the patterns, by C-SSRS category ------------------------------------------------------------------
PATTERNS = {
    "passive_ideation": [
        rf"\bwish(?:ed|ing)?\s+(?:that\s+)?(?:i|i'd|i\s+had|i\s+was|i\s+were|i'm)\s+(?:just\s+|already\s+|simply\s+)?(?:was\s+|were\s+|had\s+|been\s+|be\s+)?{DEATH_WISH}",
        r"\bwish(?:ed|ing)?\s+(?:that\s+)?i\s+(?:wasn't|weren't|hadn't\s+been|didn't)\s+(?:alive|here|born|exist|wake\s+up)",
        r"\b(?:should(?:n't|\s+not)|ought\s+not\s+to)\s+(?:have\s+)?(?:ever\s+)?been\s+born\b|\bshould\s+(?:have\s+|of\s+)?never\s+(?:have\s+)?been\s+born\b",
        r"\bwish\s+(?:i\s+)?(?:could|would|might)\s+(?:just\s+)?(?:die|disappear\s+(?:forever|for\s+good|permanently)|stop\s+existing|cease\s+to\s+exist|not\s+wake\s+up|never\s+wake\s+up|fall\s+asleep\s+(?:and|&)\s+(?:never|not)|go\s+to\s+sleep\s+(?:and|&)\s+(?:never|not))",
        r"\b(?:want|wish|hope|hoping|pray|praying|rather|like)\b.{0,40}\b(?:not|never|\w+n't)\s+(?:to\s+)?wake\s+up\b",
        r"\b(?:go|went|going)\s+to\s+sleep\s+(?:and|&)\s+(?:never|not)\s+wake\s+up\b|\bsleep\s+forever\b|\bnever\s+wake\s+up\s+again\b|\bfall\s+asleep\s+and\s+not\s+wake\b",
        r"\b(?:don't|do\s+not|no\s+longer|didn't|never)\s+(?:really\s+)?(?:want|wish|care)\s+to\s+(?:live(?!\s+(?:on|with|in|off|near|far|there|alone|like\s+this\s*,?\s*(?:that'?s|which\s+is|so\s+i'm|and\s+that'?s)))|be\s+alive|be\s+here|exist|wake\s+up|go\s+on(?!\s+(?:with|a|an|the|to|like\s+this\s+(?:form|chat)))|keep\s+(?:living|going|waking\s+up)|stay\s+alive|see\s+tomorrow|be\s+around)\b",
        r"\b(?:don't|do\s+not)\s+care\s+if\s+i\s+(?:die|live|wake\s+up|don't\s+wake)\b|\bwouldn't\s+mind\s+(?:dying|if\s+i\s+died|not\s+waking|being\s+dead)\b",
        r"\b(?:better\s+off\s+(?:dead|without\s+me|if\s+i\s+(?:(?:was|were)\s+(?:dead|gone|not\s+(?:here|around|alive))|wasn't\s+(?:here|around|alive)|weren't\s+(?:here|around|alive)|died|left\s+for\s+good|disappeared)|with\s+me\s+gone)|(?:everyone|everybody|they|my\s+\w+|world|family|kids)\s+(?:would|'d)\s+be\s+(?:better|happier|fine|ok|okay)\s+(?:off\s+)?(?:without\s+me|if\s+i\s+(?:(?:was|were)\s+(?:dead|gone|not\s+(?:here|around|alive))|wasn't\s+(?:here|around|alive)|weren't\s+(?:here|around|alive)|died|disappeared)))",
        r"\b(?:no\s*one|nobody|noone|no-one)\s+(?:would|will|'d)\s+(?:even\s+)?(?:miss|notice|care)\s+(?:me\s+)?(?:if\s+i\s+(?:was|were|died|disappeared|was\s+gone|wasn't\s+here)|when\s+i'm\s+gone|if\s+i\s+(?:just\s+)?(?:left|vanished))",
        r"\b(?:i'm|i\s+am|i\s+feel\s+like|feel\s+like|i\s+feel|being|i've\s+become|just|i'm\s+just|im\s+such)\s+(?:such\s+|just\s+|only\s+|nothing\s+but\s+|a\s+huge\s+|a\s+total\s+|)(?:a\s+)?(?:huge\s+|total\s+|massive\s+)?burden\b(?!\s+(?:\w+\s+){0,3}(?:when|because|bc|sometimes|at\s+times|financially|at\s+work|on\s+(?:bad|flare)\s+days))",
        r"\b(?:tired|sick|exhausted)\s+of\s+being\s+(?:a\s+)?(?:burden|alive|here)\b|\bburden\s+(?:to|on)\s+(?:everyone|everybody|my\s+family|my\s+kids|my\s+husband|my\s+wife|the\s+people)\b",
        r"\b(?:no|not\s+\w+|zero|lost\s+(?:my|any|every))\s+(?:reason|point|will)\s+(?:to|in|for)\s+(?:live|living|go\s+on|going\s+on|being\s+alive|life|keep\s+going|stay\s+alive|wake\s+up)\b",
        r"\bwhat'?s\s+the\s+point\s+(?:of|in)\s+(?:living|life|going\s+on|being\s+alive|waking\s+up|staying\s+alive|even\s+trying\s+to\s+live)\b",
        r"\blife\s+(?:is\s+not|isn't|ain't|is\s+no\s+longer|not|no\s+longer)\s+worth\s+(?:living|it)\b|\bnot\s+worth\s+living\b|\bpointless\s+to\s+(?:live|keep\s+living)\b",
        r"\b(?:tired|sick|exhausted|done|over)\s+(?:of|with)\s+(?:living|being\s+alive|life|existing|this\s+life|my\s+life)\b",
        r"\b(?:ready|waiting|praying|hoping|longing)\s+(?:to|for)\s+(?:die|death|the\s+end)\b|\bhope\s+i\s+(?:die|don't\s+wake)\b|\bpray\s+(?:that\s+)?(?:god|the\s+lord)\s+(?:takes|will\s+take)\s+me\b",
        r"\bdeath\s+(?:would|will|'d)\s+(?:honestly\s+|really\s+|just\s+|probably\s+|actually\s+)?be\s+(?:a\s+)?(?:relief|mercy|easier|better|welcome|peaceful)\b|\b(?:welcome|welcoming)\s+death\b",
        r"\b(?:rather|sooner)\s+be\s+dead\b|\b(?:rather|sooner)\s+(?:just\s+)?die\b(?!\s+than\s+(?!live|living|go\s+on|keep|suffer|spend|feel|be\s+in|have\s+this|hurt|deal\s+with\s+this\s+pain))",
        r"\b(?:want|wish|need)\s+(?:to\s+)?(?:just\s+)?(?:disappear|vanish)\s+(?:forever|for\s+good|permanently|and\s+never\s+come\s+back)\b|\b(?:stop|cease)\s+(?:existing|to\s+exist)\b|\bnot\s+(?:to\s+)?exist\s+anymore\b",
        r"\bwant\s+(?:it\s+all|everything|my\s+life|life|all\s+of\s+(?:it|this))\s+to\s+(?:end|be\s+over|stop)\b|\bwant\s+(?:it\s+)?all\s+to\s+(?:end|be\s+over)\b",
        r"\b(?:won't|will\s+not|not\s+going\s+to)\s+be\s+(?:around|here)\s*(?:[.!]|$|anymore|(?:much\s+)?longer|much\s+longer|for\s+(?:much\s+)?long(?:er)?|tomorrow|next\s+(?:week|month|year)|by\s+(?:then|\w+day|christmas))\b(?!.{0,50}\b(?:vacation|holiday|trip|travel\w*|out\s+of\s+town|away|visiting|reschedul\w*|the\s+week\s+after|can\s+we|another\s+(?:day|time|week)|conference))",
        r"\b(?:no|don't\s+see\s+a|don't\s+have\s+a|can't\s+(?:find|see)\s+a|not\s+a\s+single|without\s+a)\s+(?:reason|point)\s+(?:for\s+me\s+)?(?:to\s+|in\s+)?(?:keep\s+)?(?:live|living|going\s+on|being\s+alive|stay(?:ing)?\s+alive|wak(?:e|ing)\s+up)\b|\bnothing\s+(?:left\s+)?to\s+live\s+for\b",
        r"\bstop\s+(?:being\s+alive|waking\s+up)\b|\bwhy\s+was\s+i\s+(?:even\s+|ever\s+)?born\b|\bi'm\s+(?:just\s+)?dead\s+weight\b",
        r"\bif\s+i\s+(?:don't|didn't|never|do\s+not)\s+wake\s+up\b.{0,30}\b(?:fine|ok|okay|good|relief|better|wouldn't\s+mind|don't\s+care)\b",
        r"\b(?:wish|hope|pray|want)\s+(?:that\s+)?(?:god|the\s+lord|jesus|death|the\s+universe)\s+(?:would\s+|will\s+|to\s+|could\s+)?(?:just\s+)?takes?\s+me\b",
        r"\b(?:ready|want|wish|need|praying|waiting)\s+(?:for\s+)?(?:it\s+all|everything|all\s+of\s+(?:it|this))\s+to\s+(?:end|be\s+over|stop)\b|\b(?:it'll|it\s+will)\s+all\s+be\s+over\s+(?:soon|tonight|tomorrow)\b",
        r"\b(?:easier|better|simpler)\s+if\s+i\s+(?:were|was)\s+(?:dead|gone)\b|\b(?:dying|death|being\s+dead)\s+(?:would|will|'d)\s+be\s+(?:so\s+much\s+)?(?:easier|better)\b|\bwant\s+to\s+be\s+gone\b",
        r"\b(?:don't|do\s+not)\s+deserve\s+to\s+(?:live|be\s+alive|exist|be\s+here)\b|\bhad\s+enough\s+of\s+(?:life|living|being\s+alive)\b|\bwant\s+out\s+of\s+(?:this\s+)?life\b",
        r"\b(?:all\s+i\s+(?:can\s+)?think\s+about\s+is|can't\s+stop\s+thinking\s+about)\s+(?:death|dying|ending\s+it|suicide|killing\s+myself)\b",
        r"\b(?:fine|ok|okay|wouldn't\s+mind|don't\s+care|a\s+relief|better|happy)\s+if\s+i\s+(?:didn't|don't|never|did\s+not)\s+wake\s+up\b",
        r"\b(?:easier|better)\s+(?:to|if\s+i)\s+(?:just\s+)?(?:not\s+exist|die|be\s+dead|not\s+be\s+(?:here|alive|around)|disappear|didn't\s+exist|wasn't\s+(?:here|alive|around))\b",
        r"\b(?:no|what'?s\s+the)\s+point\s+(?:anymore|in\s+anything|to\s+anything|in\s+(?:even\s+)?trying\s+anymore)\b|\bwant\s+(?:it|this|everything)\s+to\s+(?:be\s+over|end|stop)\s+(?:for\s+good|forever|permanently)\b",
        r"\bwhy\s+(?:am\s+i\s+(?:still\s+)?(?:alive|here)|do\s+i\s+(?:even\s+)?(?:keep\s+)?(?:exist|bother\s+living|wake\s+up))\b",
        # indifference to dying, and hoping something else does it: "if a truck hit me i'd be ok with it"
        r"\b(?:don't|do\s+not)\s+(?:really\s+|even\s+)?care\s+(?:anymore\s+)?(?:what\s+happens\s+to\s+me|if\s+i\s+(?:live|die|make\s+it|wake\s+up|get\s+hit))\b",
        r"\b(?:if|when)\s+(?:a|the|some)\s+(?:\w+\s+)?(?:truck|car|bus|train|drunk\s+driver|bullet|heart\s+attack|stroke|tumou?r|cancer|flare|disease|illness)\s+(?:hit|hits|took|takes|kill(?:s|ed)?|got|gets)\s+me\b.{0,50}\b(?:ok|okay|fine|relief|wouldn't\s+mind|don't\s+care|good|thankful|grateful|welcome)\b",
        r"\b(?:hope|hopes|hoping|wish|pray|praying|want|part\s+of\s+me)\b.{0,50}\b(?:finish(?:es|ed)?\s+me\s+off|take(?:s)?\s+me\s+out|(?:just\s+)?(?:gives?|gave)\s+out|kills?\s+me(?!\s+(?:now\s+)?(?:lol|haha)))\b",
        r"\bwouldn't\s+mind\s+if\b.{0,60}\b(?:gave\s+out|gives\s+out|stopped|died|didn't\s+wake|never\s+woke|hit\s+me|killed\s+me|took\s+me|was\s+over)\b|\bat\s+least\s+it(?:'d|\s+would|\s+will|'ll)\s+(?:all\s+)?be\s+over\b",
        r"\b(?:out\s+of|running\s+out\s+of|no\s+more|run\s+out\s+of|lost\s+all\s+(?:my\s+)?)\s+reasons?\s+to\s+(?:keep\s+going|live|go\s+on|stay|keep\s+living|be\s+here|wake\s+up)\b",
        r"\bno\s+reason\s+not\s+to\s+(?:use|do|take|end|go|try)\b",
        r"\b(?:won't|will\s+not|not\s+going\s+to)\s+be\s+(?:around|here|alive)\s+(?:for|to\s+see|by)\s+(?:\w+\s+){0,3}?(?:anyway|by\s+then|at\s+this\s+rate)\b",
    ],
    "active_ideation": [
        rf"\b{KILL}\s+{ME}\b",
        r"\b(?:end|ending|ended|take|taking|took)\s+(?:my|my\s+own)\s+life\b",
        r"\bkms\b|\bctb\b|\bunalive\w*\b|\bsuicide\w*|\bsuicid\w*",
        rf"\b{WANT}\s+(?:just\s+)?(?:die|be\s+dead|not\s+be\s+alive|end\s+(?:it|this(?=\s*(?:[.!,]|$|now|tonight|today|for\s+good|forever))|things|everything|my\s+suffering)(?:\s+(?:all|now|tonight|today|for\s+good|forever|once\s+and\s+for\s+all))?)\b",
        r"\b(?:want|wanting|wanted|wish|long|longing|crave|craving)\s+(?:for\s+)?death\b|\bi\s+(?:just\s+)?want\s+to\s+die\b|\bwant\s+to\s+be\s+dead\b",
        r"\bend(?:ing)?\s+(?:it\s+all|everything|things|it\s+for\s+good|it\s+tonight|it\s+today|it\s+now|my\s+suffering\s+(?:for\s+good|permanently))\b",
        r"\b(?:just|i\s+(?:will|want\s+to|might|could|should))\s+end\s+it\s*(?:[.!]|$)",
        r"\b(?:think|thinking|thought|thoughts)\s+(?:about|of)\s+(?:dying|death|not\s+being\s+here|not\s+existing|ending\s+(?:it|things|everything|my\s+life))\b",
        r"\bcan't\s+(?:go\s+on|keep\s+going|do\s+(?:this|life)\s+anymore)\b(?!\s+(?:with|without|a\s+|the\s+|walks?|trips?|vacation))",
        r"\b(?:take|took|taking)\s+the\s+(?:easy|coward'?s)\s+way\s+out\b|\bpermanent\s+solution\b|\bcheck(?:ing)?\s+out\s+(?:of\s+(?:life|this\s+world)|for\s+good|early\s+from\s+life)\b",
        r"\bthis\s+is\s+goodbye\b|\bsee\s+you\s+(?:all\s+)?on\s+the\s+other\s+side\s*(?:[.!]|$)|\b(?:death|dying|suicide)\s+is\s+the\s+only\s+(?:way\s+out|option|answer|solution|way|escape)\b",
        r"\b(?:i'm|i\s+am)\s+(?:going\s+to|gonna)\s+do\s+it\s+tonight\b",
        # a voice that commands it: "a voice in my head saying do it, end it"
        r"\bvoices?\b.{0,30}\b(?:saying|telling|tells|says|say|tell|keeps?\s+saying)\s+(?:me\s+)?(?:to\s+)?(?:just\s+)?(?:do\s+it|end\s+it|die|kill|hurt|jump|cut|take\s+them|go\s+through\s+with\s+it)\b",
        r"\b(?:join|follow|be\s+with)\s+(?:him|her|them|my\s+\w+)\s+(?:soon|in\s+death|on\s+the\s+other\s+side)\b|\b(?:thinking\s+(?:of|about)|want\s+to|going\s+to|might|could)\s+(?:do|doing)\s+the\s+same\b",
        r"\bdo\s+something\s+(?:stupid|drastic|permanent|final|i\s+can't\s+take\s+back)\b",
        r"\bthis\s+is\s+(?:my\s+)?(?:last|final)\s+(?:message|goodbye|night|day|time)\b|\bgoodbye\s+(?:forever|cruel\s+world)\b",
        r"\b(?:take|taking|took|catch|catching)\s+the\s+(?:exit|way\s+out|long\s+nap|dirt\s+nap|big\s+sleep|last\s+train|final\s+exit)\b|\b(?:becom\w+|be)\s+a\s+statistic\b|\b(?:sleep|nap)\s+(?:forever|that\s+never\s+ends)\b",
        r"\b(?:go|going|gonna|ready\s+to|want\s+to)\s+(?:go\s+)?(?:to\s+)?(?:see|be\s+with|join|meet)\s+(?:jesus|god|the\s+lord|my\s+\w+(?:\s+\w+)?)\s+(?:in\s+heaven|early|sooner|soon|on\s+the\s+other\s+side|up\s+there)\b|\bgo\s+(?:home\s+)?to\s+(?:jesus|heaven)\s+(?:early|sooner|soon|now)\b",
    ],
    "method_plan": [
        r"\b(?:have|got|made|making|came\s+up\s+with|working\s+on|figured\s+out|picked|chose|chosen|decided\s+on|set)\s+(?:a|the|my)\s+(?:plan|date|day|time|method|way)\s+(?:to|for|on\s+how\s+to)\s+(?:die|end|kill|do\s+it|go|off|unalive|check\s+out|od|overdose)",
        r"\b(?:picked|set|chose|chosen|decided\s+on|circled)\s+(?:a|the)\s+(?:date|day)\b(?!\s+(?:for|of|with)\s+(?:my|the|an?|our)\s+(?:infusion|appointment|consult\w*|surgery|visit|treatment|procedure|call|wedding|party|trip|move|vacation|doctor))",
        r"\bi\s+(?:already\s+)?know\s+(?:exactly\s+)?(?:how|when|where)\s+i'm\s+(?:going\s+to|gonna)\s+(?:do\s+it|die|end\s+it|go)\b|\b(?:decided|figured\s+out|worked\s+out)\s+(?:how|when|where)\s+(?:to|i'll|i\s+will|i'm\s+going\s+to)\s+(?:do\s+it|die|end\s+it)\b",
        r"\b(?:suicide|goodbye|farewell|final|last)\s+(?:note|letter|letters|notes|message|video|texts?|email)\b|\b(?:wrote|written|writing|write|wrote\s+out|leaving|left|drafting|drafted)\s+(?:goodbye\s+)?(?:letters|notes)\s+(?:to|for)\s+(?:everyone|each\s+of|my\s+(?:kids|family|children|wife|husband|parents|mom|dad))",
        r"\b(?:written|wrote|writing|left)\s+(?:a|my|the)\s+note\s*(?:[.!]|$|for\s+(?:my\s+)?(?:family|kids|wife|husband|mom|dad|parents|everyone))",
        r"\b(?:letters?|notes?|messages?|videos?)\s+(?:to|for)\s+.{0,30}\b(?:saying\s+goodbye|goodbye)\b",
        r"\b(?:giv(?:e|ing|en)|gave)\s+(?:away\s+)?my\s+(?:dog|cat|pets?|bird|kids?)\s+(?:away|to)\b.{0,40}\bso\s+(?:she|he|they|it)(?:'s|\s+is|'re|\s+are|'ll|\s+will)\s+(?:be\s+)?(?:looked\s+after|taken\s+care\s+of|ok|okay|fine|safe)",
        r"\b(?:have|got|made)\s+a\s+plan\s+(?:and|&)\s+a\s+(?:date|time|method)\b|\b(?:bought|got|buy|buying)\s+(?:a|some|the)\s+rope\s*(?:[.!]|$)",
        rf"\b(?:stash|pile|collection|supply|stockpile)\s+of\s+(?:\w+\s+)?{MEDS}\s+(?:ready|saved|hidden|for\s+(?:when|the\s+day|the\s+end))",
        r"\b(?:run|running|leave|leaving|start|started)\s+the\s+(?:car|engine)\s+(?:running\s+)?in\s+the\s+(?:closed\s+)?garage\b|\blooking\s+at\s+(?:my|the|his|dad's)\s+gun\b",
        r"\b(?:said|saying|say)\s+(?:my\s+)?goodbyes?\s+(?:to\s+)?(?:everyone|everybody|my\s+(?:family|kids|friends|mom|dad|parents|children))\b|\bsaid\s+my\s+goodbyes\b",
        r"\bgiv(?:e|ing|en)\s+away\s+(?:all\s+(?:of\s+)?)?(?:my|our)\s+(?:stuff|things|belongings|possessions|everything|dog|cat|pets?|guitar|jewelry|jewellery|collection|clothes|books|tools)\b|\bgave\s+away\s+(?:all\s+(?:of\s+)?)?(?:my)\s+(?:stuff|things|belongings|possessions|dog|cat|pets?|guitar|jewelry|jewellery|collection)\b|\bgiving\s+(?:my\s+)?(?:stuff|things|belongings)\s+away\b",
        r"\b(?:won't|will\s+not|wont)\s+(?:be\s+)?need(?:ing)?\s+(?:it|them|any\s+of\s+(?:it|this|them)|my\s+\w+|anything)\s+(?:anymore|much\s+longer|where\s+i'm\s+going|after\s+(?:tonight|tomorrow|this\s+week))\b",
        r"\b(?:put|putting|get|getting|got)\s+(?:all\s+)?my\s+affairs\s+in\s+order\b(?!\s*,?\s*(?:before|for)\s+(?:my\s+|the\s+)?(?:back\s+|knee\s+|hip\s+)?(?:surgery|operation|procedure|trip|move|retirement|deployment))|\b(?:making|made)\s+sure\s+(?:my\s+)?(?:kids|dog|cat|pets?|family|wife|husband)\s+(?:will\s+be|are|is|would\s+be)\s+(?:ok|okay|taken\s+care\s+of|looked\s+after|fine)\s+(?:when|after|once)\s+i'm\s+gone\b",
        rf"\b(?:stockpil\w+|hoard\w*|stash\w*|squirrel\w*\s+away|collect\w*|sav(?:e|ed|ing))\s+(?:up\s+)?(?:away\s+)?(?:all\s+)?(?:of\s+)?(?:my\s+|the\s+|these\s+)?(?:\w+\s+)?{MEDS}.*\b(?:all\s+at\s+once|at\s+the\s+same\s+time|in\s+one\s+go|to\s+(?:die|end|overdose|od|kill)|for\s+(?:when|the\s+day|the\s+end|that\s+night)|just\s+in\s+case\s+i\s+(?:decide|can't)|for\s+the\s+right\s+(?:moment|time|day)|for\s+when\s+i'm\s+ready)",
        rf"\b(?:stockpil\w+|hoard(?:ed|ing)|stash(?:ed|ing))\s+(?:up\s+)?(?:all\s+)?(?:of\s+)?(?:my\s+|the\s+)?(?:\w+\s+)?{MEDS}",
        rf"\benough\s+(?:\w+\s+)?{MEDS}\s+(?:saved\s+)?(?:up\s+)?(?:to\s+)?(?:kill|die|end|not\s+wake|do\s+it|overdose|od|put\s+me\s+down|be\s+lethal)",
        r"\bnoose\b|\brope\b.{0,40}\b(?:ready|tied|beam|rafters?|ceiling|garage|tree|hang|neck|closet|strong\s+enough|around\s+my)|\b(?:tie|tied|tying)\s+(?:a|the)\s+(?:rope|knot|belt|cord)\b.{0,30}\b(?:neck|beam|hang|ceiling|closet)",
        r"\b(?:gun|pistol|revolver|rifle|shotgun|firearm|handgun|glock)\b.{0,40}\b(?:to\s+my\s+(?:head|temple|chest)|in\s+my\s+mouth|under\s+my\s+chin|on\s+myself|for\s+myself|end\s+it|end\s+this|pull\s+the\s+trigger|do\s+it|loaded\s+(?:and|it)|one\s+bullet|the\s+last\s+bullet|use\s+it\s+on|use\s+it\s*(?:[.!]|$|tonight))",
        r"\b(?:bought|buying|buy|got|getting|purchased|ordered|order)\s+(?:a\s+)?(?:gun|pistol|rope|razor\s*blades?|blades|charcoal|helium|nitrogen)\s+(?:to|so|for)\s+(?:end|kill|do\s+it|die|myself|me|when)",
        r"\b(?:jump|jumping|jumped|leap|leaping|throw\s+myself|throwing\s+myself|step|stepping|walk|walking)\s+(?:off|from|in\s+front\s+of|into|under)\s+(?:a|the|my|that|our|some)?\s*(?:\w+\s+)?(?:bridge|building|roof|rooftop|balcony|cliff|overpass|parking\s+(?:garage|deck)|window|ledge|train|bus|truck|car|traffic|tracks|subway|highway|freeway|river|lake|ocean|sea)\b",
        r"\b(?:going|gonna)\s+to\s+jump\s*(?:[.!]|$)|\b(?:stood|standing|stand|sat|sitting)\s+(?:on|at)\s+(?:the\s+)?(?:edge\s+of\s+(?:the|a)\s+)?(?:bridge|ledge|roof|rooftop|cliff|overpass|platform\s+edge|train\s+tracks|tracks)\b",
        r"\b(?:drive|drove|driving|crash|crashing|crashed|steer|swerve|swerving)\s+(?:my\s+car\s+|the\s+car\s+)?(?:off|into)\s+(?:a|the|an)\s+(?:cliff|bridge|tree|wall|oncoming|pole|semi|truck|river|lake|barrier|embankment|divider)\b|\bcrash\w*\s+(?:my|the)\s+car\s+on\s+purpose\b",
        r"\b(?:car|engine|motor)\s+(?:exhaust|fumes)\b|\bhose\s+(?:from|to|on)\s+(?:the\s+)?(?:exhaust|tailpipe)\b|\b(?:engine|motor|car)\s+running\s+in\s+(?:the|my)\s+(?:closed\s+)?garage\b|\bcarbon\s+monoxide\b(?!\s+(?:detector|alarm|poisoning\s+from\s+(?:a|the|our)))",
        r"\b(?:sat|sit|sitting|sitting)\s+in\s+(?:my|the|our)\s+(?:\w+\s+)?car\s+in\s+(?:the|my|our)\s+(?<!parking\s)garage\b.{0,40}(?:hours?|minutes|engine|motor|running|door|closed|nothing|exhaust|fumes)",
        r"\b(?:need|find|know|want|looking\s+for|search\w*|google\w*|look(?:ed|ing)?\s+up|research\w*)\s+(?:for\s+)?(?:a\s+)?(?:better|quicker|faster|surer|painless|easiest|surest|best|easy|quick|reliable)\s+(?:way|method|option)\s*(?:[.!]|$|to\s+(?:die|go|do\s+it|end\s+(?:it|things|my\s+life)|check\s+out|kill|off|od|overdose))",
        r"\b(?:painless|quick|easy|easiest|fastest|surest|best|quickest)\s+(?:way|ways|method|methods)\s+to\s+(?:die|kill\s+(?:myself|yourself|oneself)|end\s+(?:it|my\s+life|your\s+life)|commit|go|od|overdose)\b|\bhow\s+to\s+(?:die|kill\s+(?:myself|yourself|oneself)|end\s+my\s+life|hang\s+\w+self)\b",
        r"\bhow\s+(?:many|much)\s+(?:\w+\s+){0,3}(?:would|does|will|do|would\s+it|to)\s+(?:it\s+)?(?:take|need|be)?\s*(?:to\s+)?(?:die|kill|be\s+(?:lethal|fatal|deadly|enough\s+to\s+die)|not\s+wake\s+up|end\s+it|stop\s+(?:my|your)\s+heart|od|overdose)\b|\b(?:lethal|fatal|deadly)\s+(?:dose|amount|combination|mix)\b",
        r"\b(?:put|putting|hold|holding|point|pointing|press|pressing)\s+(?:it|a\s+gun|the\s+gun|the\s+barrel|a\s+pistol)\s+(?:to|against|in)\s+my\s+(?:head|temple|mouth|chest)\b",
        r"\b(?:bridge|ledge|roof|rooftop|cliff|overpass)\b.{0,60}\b(?:look(?:ing)?\s+down|the\s+drop|how\s+high|jump)\b",
        r"\b(?:see|find|there'?s|is)\s+(?:a|any|no|no\s+other)\s+way\s+out\s+(?:other\s+than|except|but|besides)\b|\b(?:other\s+than|except|besides|only\s+option\s+(?:is|left\s+is)|only\s+way\s+(?:out\s+)?is)\s+(?:ending\s+it|dying|death|suicide|to\s+die|to\s+end\s+it|ending\s+my\s+life)\b",
        r"\b(?:slit|slice|slash|open|cut)\s+(?:my|both|his|her)\s+(?:wrists?|throat|veins?)\b|\bbleed\s+out\b|\bcut\s+(?:deep|deeper)\b",
        r"\b(?:tonight|tomorrow|this\s+weekend|friday|saturday|sunday|monday|on\s+my\s+birthday|next\s+week)\s+(?:is|will\s+be|'s)\s+(?:the\s+)?(?:night|day|end|it)\b|\b(?:it|it's|its)\s+(?:all\s+)?(?:going\s+to\s+)?(?:be\s+)?over\s+(?:tonight|tomorrow|soon|this\s+weekend)\b",
        # researching an amount or a method: "looked up how many it would take", "so it actually works"
        r"\b(?:look(?:ed|ing)?\s+up|googl\w+|research\w*|search\w*|checked|read\s+up\s+on|figured\s+out|worked\s+out)\s+(?:online\s+)?(?:how\s+(?:many|much)|which\s+(?:pills?|meds?|ones?|dose|combo|combination)|what\s+(?:dose|amount|combination|it\s+takes))\b.{0,60}\b(?:take|works?|enough|lethal|kill|die|more\s+than\s+that|have\s+(?:that|enough|more))\b",
        rf"\b(?:{MEDS}|dose|doses|combo|combination|amount)\b.{{0,60}}\bso\s+(?:that\s+)?it\s+(?:actually\s+|really\s+|definitely\s+)?(?:works|work|does\s+the\s+job|is\s+enough)\b|\b(?:make|making)\s+sure\s+(?:it|they)\s+(?:actually\s+)?(?:works?|is\s+enough|does\s+the\s+job)\b",
        r"\b(?:step|stepping|stepped|jump|jumping|walk|walking|throw\w*\s+myself|lie|lying|lay)\s+(?:out\s+)?(?:in\s+front\s+of|under|onto|on)\s+(?:it|one|them)\b(?=.*\b(?:train|trains|bus|truck|traffic|tracks|subway|highway|freeway|cars?)\b)",
        r"\b(?:train\s+(?:line|tracks?)|railway|railroad|overpass|bridge)\b.{0,80}\b(?:think|thinking|thought)\s+(?:about|of)\s+(?:it|stepping|jumping|walking|going)\b",
        r"\blife\s+insurance\b.{0,60}\b(?:pays?\s+out|pay\s+out|suicide|clause|cover\w*\s+(?:it|suicide)|(?:two|2)\s+years|waiting\s+period)\b",
        r"\b(?:razor|blade|blades|knife|rope|belt|gun|pills)\b.{0,40}\b(?:bath|bathtub|tub)\b.{0,40}\b(?:no\s+reason|tonight|ready|use\s+them|use\s+it)\b",
    ],
    "attempt": [
        r"\b(?:attempted\s+suicide|suicide\s+attempts?|attempt(?:ed)?\s+(?:on|to\s+take)\s+my\s+(?:own\s+)?life)\b",
        r"\b(?:i've|i\s+have|i|have|already|once|twice)\s+attempted\s+(?:it\s+)?(?:before|twice|once|again|three\s+times|\w+\s+times|in\s+(?:19|20)\d\d|last\s+(?:year|month|week)|when\s+i\s+was|as\s+a\s+teen)\b",
        r"\bsurviv\w+\s+(?:an?\s+|my\s+|the\s+)?(?:attempt|overdose|od|hanging|jump)\b|\b(?:woke|wake|waking)\s+up\s+in\s+(?:the\s+)?(?:hospital|icu|er|e\.r\.|ambulance)\s+after\s+(?:taking|swallowing|i\s+(?:took|swallowed)|an?\s+(?:overdose|od)|the\s+pills)\b",
        r"\b(?:stomach\s+pumped|pumped\s+my\s+stomach)\b(?!\s+(?:\w+\s+){0,3}(?:as\s+a\s+(?:kid|child|baby|toddler)|after\s+eating|food\s+poisoning|for\s+(?:food|alcohol\s+poisoning\s+at)))|\b(?:psych(?:iatric)?\s+hold|72[\s-]hour\s+hold|5150|baker\s+act(?:ed)?)\b",
        r"\b(?:tried|try|trying)\s+(?:it\s+)?(?:again\s+)?(?:to\s+)?(?:hang|od|overdose|drown|jump|shoot|poison|suffocate)\b|\b(?:tried|attempted)\s+(?:it|once|before)\s+(?:and\s+)?(?:failed|didn't\s+work|it\s+didn't\s+work|survived)\b|\bit\s+didn't\s+work\s+(?:last\s+time|the\s+first\s+time)\b",
        r"\b(?:practi[cs]ed|rehears\w+|tested)\s+(?:\w+\s+){0,3}(?:tying|with\s+the\s+(?:rope|belt|cord|gun)|hanging|the\s+knot|putting\s+the\s+(?:gun|rope|belt))\b|\b(?:held|put|pressed|had)\s+(?:a|the|my|dad's|his)\s+(?:knife|blade|razor|gun|pistol|rope|belt|cord)\s+(?:to|against|around|on)\s+my\s+(?:wrist|throat|neck|head|temple|chest)\b",
        rf"\b(?:counted|lined|laid|poured|sorted)\s+(?:out|up)\s+(?:all\s+)?(?:of\s+)?(?:my|the)\s+(?:\w+\s+)?{MEDS}(?!\s+(?:for\s+the\s+week|into\s+(?:my|the)\s+(?:pill\s*box|organizer)|in\s+my\s+(?:pill\s*box|organizer)))",
        r"\b(?:came|got)\s+(?:so\s+)?close\s+to\s+(?:ending\s+it|doing\s+it|killing\s+myself|jumping|taking\s+them\s+all)\b|\balmost\s+(?:went\s+through\s+with\s+it|did\s+it\s+(?:last|yesterday|tonight))\b",
        r"(?:^|[.,;!]\s*|\b(?:i|already|and|but)\s+)attempted\s+(?:it\s+)?(?:twice|once|again|three\s+times|\w+\s+times|before|this\s+(?:year|month|week)|last\s+(?:year|month|week|night))\b",
    ],
    "self_harm": [
        rf"\b{HARM}\s+{ME}\b",
        r"\bself[\s-]?harm\w*|\bself[\s-]?injur\w*|\bself[\s-]?mutilat\w*|\bsh\s+(?:again|urges?|scars?)\b|\brelaps\w+\s+(?:on\s+|with\s+|into\s+)?(?:sh|self[\s-]?harm\w*|cutting|burning)\b",
        r"\b(?:started|start|been|keep|kept|went\s+back\s+to|back\s+to|urge\s+to|urges\s+to|stop|quit|into)\s+(?:\w+\s+)?cutting(?:\s+again)?\s*(?:[.!,]|$|again|myself|my|on\s+my)",
        r"\b(?:want|urge|urges|need|craving|itching|tempted)\s+to\s+(?:cut|burn)\s*(?:[.!]|$|again|tonight|so\s+bad)|\brelaps\w+\s+(?:and|&)\s+(?:cut|burned|hurt\s+myself|sh)\b",
        r"\bcutting\s+again\b|\b(?:cutting|cut|burn|burning|burned|burnt|scratching|carving|slicing)\s+(?:into\s+)?(?:my|both)\s+(?:arms?|wrists?|thighs?|legs?|skin|stomach|hips?|forearms?)\b(?!\s+(?:on\s+(?:a|the)|in\s+the|while|when|accidentally|by\s+accident|cooking|shaving|gardening))",
        r"\b(?:fresh|new|deep)\s+(?:cuts|burns|wounds)\s+(?:on|all\s+over)\s+my\b|\b(?:bang|banging|banged|hit|hitting|slam|slamming|slammed)\s+my\s+head\s+(?:against|into|on)\s+(?:the\s+)?(?:wall|floor|door|desk)\b",
        r"\b(?:until|till|til)\s+(?:i|it)\s+bleeds?\b|\bmake\s+myself\s+bleed\b|\b(?:lighter|cigarettes?|razor|blade|blades|scissors|compass)\s+(?:on|to|into)\s+my\s+(?:skin|arms?|wrists?|thighs?|legs?)\b",
        r"\b(?:punch(?:ing|ed)?|hit(?:ting)?)\s+(?:walls|the\s+wall)\s+(?:until|till|on\s+purpose|to\s+feel)\b|\b(?:hurt|harm)\s+(?:my\s+body|me)\s+on\s+purpose\b|\bon\s+purpose\s+to\s+(?:feel|punish)\b",
        r"\b(?:punch\w*|hit(?:s|ting)?|slap\w*|beat(?:s|ing)?|stab\w*|scratch\w*|claw\w*|smash\w*)\s+(?:at\s+)?my\s+(?:own\s+)?(?:\w+\s+)?(?:leg|legs|arm|arms|thighs?|face|head|stomach|hands?|foot|feet|body|skin)\b.{0,40}\b(?:as\s+hard\s+as|until|till|til|because\s+i\s+hate|on\s+purpose|bruis|bleed|purple|black\s+and\s+blue|to\s+feel)",
        r"\b(?:digging|dig|dug|picking|scraping|gouging|carving)\s+(?:at|into)\s+my\s+(?:skin|arms?|legs?|wrists?|thighs?)\b|\brazor\s*blades?\b.{0,40}\bmy\s+(?:skin|arms?|legs?|wrists?|thighs?)\b|\bmy\s+(?:skin|arms?|legs?|wrists?|thighs?)\b.{0,40}\brazor\s*blades?\b",
        r"\b(?:covered\s+in|full\s+of|hiding\s+(?:my\s+)?(?:the\s+)?)\s*(?:fresh\s+|new\s+|deep\s+)?(?:cuts|scars|burns|slashes)\b|\blong\s+sleeves\s+(?:in\s+(?:summer|the\s+heat|july|august)|to\s+hide)\b",
        r"\b(?:slamm?\w*|smash\w*|hit\w*|burn\w*|cut\w*|punch\w*|bang\w*|hurt\w*|crush\w*|stab\w*|twist\w*)\s+my\s+(?:own\s+)?(?:hand|hands|arm|arms|head|leg|legs|fingers?|wrists?|foot|feet|knee|knees|thighs?)\b.{0,40}\bon\s+purpose\b",
    ],
    "overdose_intent": [
        r"\b(?:drink|drinking|drank|drunk|swallow|swallowing|swallowed|chug|chugging|chugged|ingest|eat|eating|ate|take|taking|took)\s+(?:some\s+|the\s+|a\s+(?:cup|glass|bottle|jug|capful)\s+of\s+|a\s+bit\s+of\s+)?(?:bleach|antifreeze|anti-freeze|drain\s+cleaner|rat\s+poison|poison|pesticide|weed\s?killer|lye|ammonia|cyanide|arsenic|windshield\s+fluid|cleaning\s+(?:fluid|products?)|detergent\s+pods?|tide\s+pods?)\b",
        rf"\b(?:overdos\w*|od)\s+(?:on\s+)?(?:on\s+)?purpose\b|\b(?:took|take|taking|swallowed|swallow)\s+(?:too\s+many|extra|all)\s+(?:\w+\s+)?{MEDS}?\s*on\s+purpose\b",
        rf"\b{WANT}\s+(?:just\s+)?(?:overdose|od)\b|\b(?:want|wanting|plan|planning|thinking|think|thought|tempted|going|about)\s+(?:to\s+|of\s+|about\s+)?(?:overdos\w+|od)\b",
        rf"\b(?:take|taking|took|swallow\w*|down|downing|downed|pop|popping|popped|empty|emptying|emptied|chug\w*)\s+(?:all|every(?:thing|\s+last)?|(?:a|my)\s+(?:whole\s+|full\s+|entire\s+)?(?:bottle|pack|packet|box|strip)|the\s+(?:whole|entire|full|rest\s+of\s+the)\s+(?:bottle|box|pack|packet|script|prescription|month'?s?\s+supply|supply)|handfuls?|a\s+(?:handful|fistful|bunch|ton)|fistfuls?|the\s+rest)\b.*\b(?:{MEDS}|of\s+(?:them|it|these))\b",
        r"\b(?:take|swallow|down|drink|empty)\s+the\s+(?:whole|entire)\s+bottle\s*(?:[.!]|$|tonight|now)|\bthreaten\w*\s+(?:to\s+)?(?:overdose|od|kill|end\s+(?:it|his|her|their)|hurt|harm|cut|jump|suicide)",
        r"\b(?:take|taking|swallow|swallowing|down|downing)\s+(?:them|it|all\s+of\s+them|the\s+lot|everything)\s+(?:all\s+)?(?:at\s+once|together|in\s+one\s+go|at\s+the\s+same\s+time)\b",
        rf"\b(?:take|taking|swallow|mix|mixing)\s+(?:all\s+)?(?:of\s+)?(?:my\s+)?(?:\w+\s+)?{MEDS}\s+(?:with|and)\s+(?:a\s+(?:whole\s+)?bottle\s+of\s+|a\s+fifth\s+of\s+)?(?:vodka|whiskey|whisky|wine|alcohol|booze|liquor|rum|gin|tequila)\b(?=.*\b(?:tonight|end|die|wake|sleep|for\s+good|all|goodbye|never)\b)",
        r"\b(?:i|i'm|i've|i\s+have|just)\s+(?:just\s+)?(?:overdosed|od)\b(?!\s+(?:on\s+)?(?:accidentally|by\s+accident))",
        # a supply kept back for the purpose: "saving them for when i'm ready", "3 months of it saved up"
        r"\b(?:sav(?:e|ed|ing)|stor(?:e|ed|ing)|hid(?:e|den|ing)?|keep(?:ing)?|kept|skip(?:ping|ped)?\s+(?:my\s+)?doses|put(?:ting)?\s+(?:them|some)\s+aside)\b.{0,60}\b(?:for\s+when\s+i'm\s+ready|when\s+i'm\s+ready|for\s+the\s+(?:right\s+)?(?:time|day|night|moment)|make\s+sure\s+it\s+works|so\s+it\s+works|for\s+(?:later|one\s+day)\s+when\s+i\s+(?:can't|decide))\b",
        r"\benough\s+(?:\w+\s+){0,2}(?:saved|stashed|hidden|stored|put\s+away|left|at\s+home|in\s+the\s+(?:house|cabinet|drawer))?\s*(?:up\s+)?to\s+(?:make\s+sure|be\s+sure|do\s+the\s+job|finish\s+(?:it|me|the\s+job))\b",
        r"\b(?:have|got|i've\s+got|i\s+have)\s+(?:\w+\s+){0,2}(?:months?|weeks?)\s+(?:of|worth\s+of)\s+(?:\w+\s+){0,2}(?:saved|stashed|stockpiled|hidden|put\s+away)\b",
        r"\b(?:take|taking|swallow\w*|down|downing|use|using)\s+(?:the\s+|my\s+)?(?:whole|entire|full)\s+(?:stash|stockpile|supply|lot|collection)\b",
        rf"\bcount(?:ing|ed)?\s+(?:my\s+|the\s+|all\s+(?:my\s+)?)?{MEDS}\b.{{0,50}}\b(?:enough|would\s+(?:it|that)\s+(?:be|take)|lethal|do\s+it)\b",
        r"\b(?:know|knows|looked\s+up)\s+what\s+(?:it|they|that|those|these)\s+(?:does|do|would\s+do|will\s+do)\s+(?:in|at)\s+(?:big|large|high|huge)\s+(?:amounts|doses|quantities)\b",
    ],
    "third_party": [
        rf"\b(?:{KILL}|{HARM})\s+{THEM}\b",
        rf"\b(?:{END_LIFE})\b",
        rf"\b{WHO}\s+(?:is|'s|are|was|were|has\s+been|have\s+been|seems?|seemed|sounds?|sounded|feels?|keeps?|kept|has|have|had)\s+(?:\w+\s+){{0,3}}(?:suicid\w*|self[\s-]?harm\w*|cutting\s+again|cutting\s+(?:his|her|their)|talking\s+about\s+(?:dying|death|ending|not\s+being|wanting\s+to\s+die|killing|being\s+better\s+off|suicide))",
        rf"\b{WHO}\s+(?:said|says|told\s+me|texted|posted|wrote|keeps\s+saying|kept\s+saying|mentioned)\s+(?:that\s+)?(?:he|she|they)\s*(?:'d|would|wants?|wanted|is\s+going|was\s+going|'s\s+going|is|was|'s|might|will)?\s*(?:to\s+)?(?:rather\s+be\s+dead|be\s+better\s+off\s+dead|better\s+off\s+dead|die|kill|end\s+it|end\s+(?:his|her|their)\s+life|not\s+(?:want\s+to\s+)?be\s+here|want\s+to\s+die|wanted\s+to\s+die|doesn't\s+want\s+to\s+(?:live|be\s+here)|can't\s+go\s+on|a\s+burden|do\s+something\s+stupid)",
        rf"\b(?:worried|scared|afraid|terrified|concerned|frightened)\s+(?:about\s+|that\s+|for\s+)?{WHO}\s+(?:\w+\s+){{0,4}}(?:suicid\w*|kill|hurt|harm|end\s+(?:it|his|her|their)|die|overdos\w*|od|cutting|do\s+something|won't\s+be\s+safe|not\s+safe|jump|unalive)",
        rf"\b(?:found|saw|noticed|seen)\s+(?:fresh\s+|new\s+)?(?:cuts|burns|scars|razor\s*blades?|blades|a\s+note|a\s+suicide\s+note|a\s+noose|pills\s+hidden|a\s+stash)\s+(?:on|in|under)\s+(?:{WHO}|his|her|their)",
        rf"\b{WHO}\s+(?:just\s+)?(?:texted|messaged|called|sent|wrote|posted|said)\s+(?:me\s+|us\s+|everyone\s+)?(?:a\s+)?(?:goodbye|good\s+bye|farewell|final|last\s+message)\b",
        rf"\b{WHO}\b.{{0,80}}\bempty\s+(?:pill\s+)?(?:bottles?|packets?|blister\s+packs?)\b|\bempty\s+(?:pill\s+)?(?:bottles?|packets?)\b.{{0,80}}\b{WHO}\b",
        rf"\b{WHO}\s+(?:took|swallowed|downed|overdosed\s+on)\s+(?:a\s+(?:bunch|lot|handful|ton)|all|the\s+whole|too\s+many)\b",
    ],
}
# ---- generalised by category meaning (2026-12-03, a sixth author): the shape of each kind of statement, not
# the dev sets' phrasings. Each entry pairs what the category is about with a word that makes it personal.
_LETHAL = r"(?:rope|noose|gun|pistol|revolver|rifle|shotgun|handgun|razor\s*blades?|blades?|helium|exhaust|belt\s+and\s+(?:a\s+)?(?:hook|beam|door))"
_FAMILY = r"(?:kids|children|son|daughter|sons|daughters|wife|husband|partner|family|mom|mum|dad|mother|father|parents|sister|brother|everyone|everybody|grandkids|grandchildren|friends|best\s+friend)"
_PETS = r"(?:dog|dogs|cat|cats|pets?|bird|birds|puppy|kitty|parrot|horse|fish)"
GENERAL = {
    "passive_ideation": [
        # wishing oneself gone: "wish i could just vanish for good", "i wish everything would just stop"
        r"\bwish(?:ed|ing)?\s+(?:i\s+)?(?:could|would|might|was\s+able\s+to)?\s*(?:just\s+|simply\s+)?(?:not\s+exist|stop\s+existing|cease\s+to\s+exist|be\s+gone|go\s+away\s+(?:forever|for\s+good|permanently)|fade\s+(?:away|out)\s*(?:[.!]|$|forever|for\s+good|and\s+never)|vanish(?:ed)?\s+(?:forever|for\s+good|permanently|without\s+a\s+trace)|disappear(?:ed)?\s+(?:forever|for\s+good|permanently|and\s+never|without\s+a\s+trace|off\s+the\s+face))",
        r"\bwish(?:ed|ing)?\s+(?:that\s+)?(?:it|everything|it\s+all|all\s+of\s+(?:it|this)|life|my\s+life)\s+(?:would|could)\s+(?:just\s+|all\s+){0,2}(?:stop|end|be\s+over)\b(?!\s+(?:hurting|aching|burning|throbbing))",
        r"\bwish(?:ed|ing)?\s+(?:i\s+)?(?:could|would)?\s*(?:just\s+)?(?:fall\s+asleep|go\s+to\s+sleep|drift\s+off|sleep)\s+(?:and|&|n)\s+(?:just\s+)?(?:never|not|stay)\b|\bwish(?:ed|ing)?\s+i\s+(?:would|could)\s+(?:just\s+)?(?:not|never)\s+wake\b",
        r"\b(?:so|then)\s+i\s+(?:wouldn't|won't|don't|didn't|would\s+not|will\s+not)\s+have\s+to\s+(?:wake\s+up|be\s+here|exist|live|feel\s+anything\s+ever)\b",
        # the burden said as a fact or a countdown: "i won't be a problem for anyone much longer"
        r"\b(?:won't|will\s+not|not\s+going\s+to)\s+be\s+(?:a|an)\s+(?:\w+\s+)?(?:problem|burden|bother|nuisance|trouble|weight|inconvenience|drain)\s+(?:to\s+\w+\s+|for\s+\w+\s+|on\s+\w+\s+)?(?:much\s+longer|for\s+(?:much\s+)?long(?:er)?|anymore|soon|after\s+(?:tonight|today|this)|very\s+long)\b",
        r"\b(?:won't|will\s+not|wont|not\s+going\s+to|never)\s+(?:have\s+to|need\s+to)\s+(?:worry\s+about|deal\s+with|take\s+care\s+of|look\s+after|put\s+up\s+with|carry)\s+me\s+(?:much\s+longer|anymore|for\s+(?:much\s+)?long(?:er)?|soon|again|after\s+(?:tonight|today|this))\b",
        r"\b(?:everyone|everybody|they|my\s+\w+|the\s+world|people|my\s+family|my\s+kids)\s+(?:would|will|'d|'ll)\s+(?:be\s+)?(?:better|happier|freer|relieved|fine)\s+(?:\w+\s+){0,2}(?:once|when|after|if)\s+i'm\s+(?:gone|dead|not\s+here|not\s+around|out\s+of\s+the\s+picture)\b",
        r"\b(?:i'm|i\s+am|feel\s+like\s+i'm|i\s+feel\s+like)\s+(?:just\s+)?(?:a\s+)?(?:waste\s+of\s+(?:space|air|oxygen|a\s+life)|taking\s+up\s+space)\b",
        # not wanting to be here / tired of waking up, any tense
        r"\b(?:tired|sick|exhausted|weary)\s+of\s+(?:waking\s+up(?!\s+(?:stiff|sore|at\s|from|with|in\s+(?:pain|agony)|to\s+(?:pain|the)|early|every\s+(?:hour|night|two|few)|exhausted|tired|screaming|crying|because|bc))|existing|breathing|surviving|being\s+(?:here|around|me))\b",
        r"\b(?:can't|cannot|don't\s+want\s+to)\s+(?:keep\s+)?(?:do(?:ing)?|fac(?:e|ing))\s+(?:another|one\s+more)\s+(?:day|year|morning|week)\s+(?:of\s+(?:this|being\s+alive|living|existing)|alive|like\s+this)\b",
        r"\b(?:don't|do\s+not|can't)\s+see\s+(?:myself|me)\s+(?:being\s+)?(?:here|around|alive|still\s+here|making\s+it|living)\s+(?:much\s+longer|by|in\s+(?:a|another|five|ten)\s+(?:year|years|month|months)|next\s+(?:year|month|week)|for\s+long)\b",
        r"\b(?:done|finished|through)\s+(?:with\s+)?(?:existing|being\s+alive|staying\s+alive|trying\s+to\s+stay\s+alive|living\s+like\s+this\s+for\s+good)\b",
        r"\b(?:death|dying|the\s+end|not\s+existing|being\s+gone)\s+(?:sounds|seems|feels|looks)\s+(?:\w+\s+)?(?:good|nice|peaceful|better|easier|like\s+(?:a\s+)?(?:relief|rest|peace|the\s+answer))\b",
        r"\b(?:no\s*one|nobody|noone|no-one)\s+(?:would|will|'d|is\s+going\s+to)\s+(?:even\s+|really\s+|actually\s+)?miss\s+me\b",
        r"\bi\s+(?:shouldn't|should\s+not)\s+(?:even\s+)?(?:be\s+alive|exist|be\s+(?:here|on\s+this\s+earth)\s*(?:[.!]|$|anymore|at\s+all))|\b(?:don't|do\s+not)\s+know\s+why\s+i'm\s+(?:still\s+(?:here|alive|around|breathing)|alive)\b",
        r"\b(?:i\s+)?(?:keep|kept)\s+(?:hoping|praying|wishing)\s+(?:i|that\s+i)\s+(?:won't|wouldn't|don't|die|just\s+die)\b",
    ],
    "implicit_slang": [
        # farewells and preparations
        r"\b(?:made|making|make)\s+(?:my\s+)?peace\s*(?:[.!]|$|with\s+(?:it\s+all|everything|dying|death|going|leaving|my\s+decision|the\s+decision|god|the\s+world|what\s+i'm\s+(?:going|about)\s+to\s+do))",
        r"\b(?:at\s+peace|okay|ok|fine|comfortable)\s+with\s+(?:my\s+decision|the\s+decision|what\s+i(?:'ve|\s+have)\s+decided|dying|leaving\s+this|going\s+now|ending\s+it)\b",
        r"\btying\s+up\s+(?:all\s+(?:of\s+)?)?(?:my\s+|the\s+)?(?:last\s+|final\s+)?loose\s+ends\b(?!\s+(?:at|for|before|on)\s+(?:work|the\s+(?:office|job|project|holidays?|move|trip)|my\s+(?:job|trip|move|surgery|infusion|appointment|leave)))",
        rf"\b(?:wrote|written|writing|write|left|leaving|recorded|recording|finished)\s+(?:(?!birthday|christmas|thank|holiday|valentine|get\s+well|sympathy|school)\w+\s+){{0,2}}(?:letters?|notes?|videos?|messages?)\s+(?:to|for)\s+(?:each\s+of\s+)?(?:my|all\s+my|the)\s+(?:\w+\s+)?{_FAMILY}\b(?!.{{0,40}}\b(?:birthday|christmas|holiday|thank|school|teacher|camp|graduat|wedding|anniversary|valentine|mother'?s\s+day|father'?s\s+day))",
        rf"\b(?:gave|given|giving|give|rehomed|rehoming|rehome|found\s+(?:a\s+)?(?:new\s+)?homes?\s+for)\s+(?:away\s+)?(?:my|both\s+my|all\s+my)\s+{_PETS}\s*(?:away\s*)?(?:to\s+(?:my\s+|a\s+|the\s+)?(?:\w+\s+){{0,2}})?(?:[.!,]|$|so|because\s+(?:i\s+)?won't|yesterday|today|this\s+week)(?!.{{0,50}}\b(?:can't|cannot|couldn't|unable|no\s+longer\s+able|too\s+(?:much|hard|sore|weak|sick)|allerg\w*|moving|landlord|apartment|surgery|hospital|while\s+i|during)\b)",
        r"\b(?:this|that)\s+(?:is|was|will\s+be)\s+(?:the\s+)?(?:last|final)\s+(?:time\s+(?:you'll|you\s+will|anyone\s+will)\s+hear|thing\s+i\s+(?:say|write|send)|text|post|chat)\b|\byou\s+won't\s+(?:be\s+)?hear(?:ing)?\s+from\s+me\s+(?:again|anymore|after\s+(?:tonight|today))\b",
        rf"\btell\s+(?:my\s+)?(?:\w+\s+)?(?:{_FAMILY}|them|her|him)\s+(?:that\s+)?i\s+(?:love|loved)\s+(?:them|her|him|you)\b(?!.{{0,20}}\b(?:for\s+me\s+when|at\s+the\s+party))|\b(?:it\s+(?:was|has\s+been)|been)\s+(?:nice|good|an\s+honou?r)\s+knowing\s+(?:you|everyone|y'?all)\b|\bgoodbye\s+(?:everyone|everybody|world|all|y'?all|friends)\b",
        r"\b(?:sorry\s+for\s+everything|forgive\s+me)\b.{0,40}\b(?:goodbye|bye|i\s+love\s+you|take\s+care\s+of|won't\s+be|can't\s+do\s+this\s+anymore)\b",
        r"\b(?:won't|will\s+not|not\s+going\s+to)\s+(?:be\s+)?(?:here|around|alive|breathing)\s+(?:for|to\s+see|when)\s+(?:\w+\s+){0,3}(?:christmas|birthday|infusion|appointment|consult\w*|the\s+(?:new\s+)?year|next\s+(?:week|month|year)|spring|summer|the\s+holidays|it|that|results)\b",
        r"\b(?:won't|will\s+not|wont|no\s+need\s+to|don't\s+need\s+to|no\s+point\s+(?:to|in))\s+(?:book|schedule|bother\s+(?:booking|scheduling|with)|call(?:ing)?\s+me|follow(?:ing)?\s+up)\b.{0,40}\b(?:won't\s+be\s+(?:here|around|alive)|by\s+then|not\s+going\s+to\s+be\s+(?:here|around))\b",
        r"\b(?:everything|it\s+all|my\s+stuff|the\s+papers|my\s+will|the\s+insurance|passwords|accounts)\s+(?:is|are)\s+(?:all\s+)?(?:sorted|arranged|in\s+order|taken\s+care\s+of|ready|set)\s+(?:for\s+(?:after|when)|so\s+(?:my|they|nobody)|for\s+my\s+(?:family|kids|wife|husband))\b",
        r"\bmade\s+up\s+my\s+mind\b.{0,30}\b(?:tonight|it's\s+time|this\s+is\s+it|i'm\s+done|no\s+turning\s+back|going\s+through\s+with\s+it|to\s+(?:go|end|die|do\s+it))\b|\b(?:going|gonna)\s+(?:to\s+)?(?:go\s+through\s+with\s+it|do\s+it)\s+(?:tonight|this\s+time|for\s+real|finally|once\s+and\s+for\s+all)\b",
        r"\bby\s+the\s+time\s+(?:you|anyone|someone|they)\s+(?:read|reads|see|sees|get|gets|find|finds)\s+(?:this|my\s+message|it)\b|\bgoing\s+away\s+(?:for\s+good|forever|permanently|and\s+(?:not|won't|never)\s+(?:be\s+)?(?:coming|come)\s+back)\b",
        r"\b(?:take\s+care\s+of|look\s+after|watch\s+over|be\s+there\s+for)\s+(?:\w+\s+){1,3}(?:when|after|once)\s+i'm\s+(?:gone|not\s+(?:here|around))\b|\bthis\s+is\s+(?:the|my)\s+end\s*(?:[.!]|$|for\s+me)",
        r"\b(?:i'll|i\s+will|soon\s+i'll|i'm\s+going\s+to)\s+(?:finally\s+)?be\s+(?:at\s+peace|at\s+rest|out\s+of\s+pain\s+(?:forever|for\s+good))\s*(?:[.!]|$|soon|tonight|tomorrow|forever|for\s+good)",
        r"\b(?:decided|know|knew)\s+(?:that\s+)?it'?s\s+time\s*(?:[.!]|$|to\s+go\b|for\s+me\s+to\s+go)|\bby\s+my\s+own\s+hand\b",
        r"\bput\s+myself\s+out\s+of\s+(?:my\s+|this\s+)?misery\b|\bput\s+an\s+end\s+to\s+(?:it\s+all|myself|my\s+life|everything|my\s+existence|me)\b",
    ],
    "attempt": [
        # an attempt told in any tense, with a word that says what it was
        r"\b(?:last|first|second|third|other|one|that|the)\s+time\s+i\s+(?:tried|attempted)\s*(?:[.,;!]|$|to\s+(?:end|kill|die|go|take\s+(?:all|them|my\s+(?:own\s+)?life|the\s+whole|everything)|not\s+wake|overdose|od|hang|jump|unalive)|it\b(?!\s+(?:for|on|with|out)))",
        r"\bmy\s+(?:first|second|third|fourth|last|previous|latest|most\s+recent|recent|earlier|only|other)\s+(?:suicide\s+)?attempt\b(?!\s+(?:at|to|with|of|in\s+(?:pt|physical)))|\battempts?\s+on\s+my\s+(?:own\s+)?life\b",
        r"\b(?:ended\s+up|woke\s+up|wound\s+up|landed|was\s+rushed|got\s+rushed|was\s+taken|got\s+taken|was\s+admitted|got\s+admitted|spent\s+\w+\s+(?:days?|nights?|weeks?))\s+(?:up\s+)?(?:in|to|at)\s+(?:the\s+)?(?:er|e\.r\.|hospital|icu|emergency(?:\s+room)?|a&e|psych\s+ward|psych\s+unit|ambulance)\b.{0,50}\b(?:after|because|when|from)\s+(?:i\s+)?(?:took\s+(?:all|the\s+whole|a\s+whole|everything|them\s+all|every|a\s+(?:handful|bunch|bottle))|swallowed|tried|an?\s+(?:overdose|od|attempt)|my\s+(?:overdose|od|attempt)|overdos\w+|od|cut\s+(?:my|too)|hurt\s+myself)",
        r"\b(?:(?:hospitali[sz]ed|admitted|committed|sectioned|put\s+on\s+(?:a\s+)?(?:suicide\s+watch|hold)|inpatient)\s+(?:\w+\s+){0,3}(?:after|for|because\s+of)\s+(?:my|an|the)\s+(?:attempt|overdose|od))\b",
        r"\b(?:found\s+me|got\s+to\s+me|called\s+(?:911|an\s+ambulance)\s+(?:on|for)\s+me)\s+(?:just\s+)?(?:in\s+time|before\s+(?:it\s+(?:worked|was\s+too\s+late)|i\s+(?:died|could|stopped))|unconscious|not\s+breathing|barely\s+breathing|unresponsive)\b|\b(?:they|the\s+doctors?|paramedics|someone)\s+(?:revived|resuscitated|brought)\s+me\s*(?:back)?\b",
        r"\b(?:tried|trying|attempted)\s+to\s+(?:end\s+(?:it|things|everything|my\s+suffering)|go\s+to\s+sleep\s+(?:forever|for\s+good)|not\s+wake\s+up|take\s+(?:all|them\s+all|the\s+whole|everything|a\s+(?:whole\s+)?bottle)|swallow\s+(?:all|them|everything|the\s+whole))\b",
        r"\b(?:took|swallowed|downed)\s+(?:\w+\s+){0,4}\b(?:and|then)\s+(?:\w+\s+){0,3}(?:woke\s+up\s+in|ended\s+up\s+in|found\s+me|called\s+911|they\s+pumped|had\s+my\s+stomach)\b",
        r"\b(?:survived|lived\s+through|made\s+it\s+through)\s+(?:it|that|the\s+last\s+one)\b.{0,40}\b(?:tried|attempt|overdose|od|didn't\s+work|wasn't\s+enough)\b|\b(?:tried|attempt\w*)\b.{0,40}\b(?:didn't\s+work|wasn't\s+enough|wasn't\s+successful|failed|survived)\b",
    ],
    "overdose_intent": [
        # all of it, at once, or enough of it
        r"\b(?:take|taking|took|swallow\w*|down|downing|pop|popping|chug\w*)\s+(?:all|every|the\s+whole|whole|a\s+whole|an\s+entire|the\s+entire|the\s+rest\s+of)\s+(?:\w+\s+){0,3}(?:at\s+once|in\s+one\s+go|at\s+the\s+same\s+time|together|tonight)\b",
        rf"\b(?:sav(?:e|ed|ing)|stor(?:e|ed|ing)|keep(?:ing)?|kept|collect(?:ed|ing)?|build(?:ing)?|built|hold(?:ing)?)\s+(?:up\s+)?(?:\w+\s+){{0,2}}{MEDS}\s+(?:up|back|aside)?\b(?!.{{0,60}}\b(?:bad\s+days|flares?|emergenc\w+|travel\w*|trips?|vacation|insurance|refills?|pharmacy|run\s+out|running\s+out|shortage|in\s+case\s+(?:the|my)\s+pain|the\s+weekend|night\s+time|doctor|prescribed))(?=.{{0,80}}\b(?:enough|all\s+at\s+once|one\s+day|when\s+(?:i'm|it's|i\s+decide)|for\s+(?:when|the\s+end|that|later|good)|just\s+in\s+case\s+i|so\s+i\s+(?:can|could|have)|in\s+case\s+i\s+(?:need|want|decide|can't)|a\s+way\s+out|the\s+end))",
        rf"\b(?:{MEDS}|them|it|everything)\b.{{0,60}}\b(?:to\s+die|so\s+(?:that\s+)?i\s+(?:can|could|would|'d|will|won't|wouldn't)\s+(?:die|sleep\s+forever|not\s+wake|never\s+wake|finally\s+sleep\s+for)|and\s+(?:just\s+)?(?:not|never)\s+wake\s+up|and\s+(?:just\s+)?sleep\s+forever|and\s+be\s+done\s+with\s+(?:it|everything|life))\b",
        rf"\b(?:wash(?:ed|ing)?|chas(?:e|ed|ing))\s+(?:them|it|the\s+(?:pills|lot)|all\s+of\s+(?:them|it)|\w+\s+{MEDS})\s+down\s+with\s+(?:a\s+)?(?:\w+\s+)?(?:vodka|whiskey|whisky|wine|alcohol|booze|liquor|rum|gin|tequila|bottle|fifth)\b",
        r"\bhow\s+many\s+(?:\w+\s+){0,3}(?:it\s+)?(?:would|does|will|to)\s+(?:it\s+)?(?:take|need)\s+(?:to\s+)?(?:not\s+wake|never\s+wake|stop|shut\s+down|make\s+(?:my\s+)?(?:heart|liver|kidneys|breathing))",
        rf"\b(?:take|taking|took|swallow\w*|pop|popping)\s+(?:way\s+)?(?:too\s+many|a\s+lot\s+of|a\s+ton\s+of|loads\s+of|dozens\s+of|\d{{2,}})\s+(?:\w+\s+)?{MEDS}?\b.{{0,40}}\b(?:on\s+purpose|to\s+(?:die|end|sleep\s+forever|not\s+wake)|and\s+(?:not|never)\s+wake|hoping|so\s+(?:that\s+)?i\s+(?:wouldn't|won't|don't|can|could))\b",
    ],
    "method_plan": [
        # a method that is only a method, beside an intent or a time
        rf"\b{_LETHAL}\b.{{0,50}}\b(?:tonight|when\s+i'm\s+ready|when\s+the\s+time\s+comes|end\s+(?:it|this|things|everything)|do\s+it|use\s+(?:it|them)\s+(?:on\s+myself|tonight|soon|when)|on\s+myself|my\s+way\s+out|the\s+way\s+(?:i'll|i\s+will|i'm\s+going\s+to)\s+go|for\s+(?:me|myself)\s+(?:tonight|when|if)|(?:keep|kept)\s+thinking\s+about\s+(?:it|using)|think(?:ing)?\s+about\s+using)\b",
        r"\b(?:take|swallow|down)\s+(?:everything|every\s+(?:pill|tablet|last\s+one))\s+(?:i\s+(?:have|got|own|can\s+find)(?!\s+(?:been|to\s+take))|in\s+(?:the|my)\s+(?:house|cabinet|drawer|bathroom))\b",
        rf"\b(?:end\s+it|do\s+it|go\s+through\s+with\s+it|my\s+way\s+out|how\s+i'll\s+go)\b.{{0,40}}\b(?:with|using|use)\s+(?:a\s+|the\s+|my\s+|his\s+|her\s+|dad's\s+|my\s+dad's\s+)?{_LETHAL}\b",
        r"\bhow\s+(?:high|tall|far\s+(?:up|down)|long|fast)\s+(?:\w+\s+){0,6}(?:to\s+(?:die|be\s+fatal|kill\s+(?:you|me|someone|a\s+person)|not\s+survive|be\s+sure)|survive(?:able)?|fatal|lethal)\b|\b(?:would|will|could)\s+(?:i|you|someone|a\s+person)\s+survive\s+(?:a|the|that)\s+(?:fall|jump|drop)\b",
        r"\b(?:wrote|written|writing|planned|planning|arranged|picked)\s+(?:out\s+)?(?:my|the)\s+(?:own\s+)?(?:funeral|obituary|eulogy)\b(?=.{0,60}\b(?:soon|tonight|this\s+week|already|ready|so\s+(?:they|nobody|no\s+one)|for\s+(?:when|after)|won't\s+have\s+to)\b)",
        r"\b(?:know|found|scoped\s+out|picked|chose|chosen|checked\s+out|looking\s+at|went\s+to\s+look\s+at)\s+(?:exactly\s+)?(?:the|a|which)\s+(?:spot|place|bridge|building|cliff|roof|ledge|tracks|overpass)\b(?=.{0,60}\b(?:jump|high\s+enough|drop|do\s+it|end\s+it|when|tonight|go\s+(?:off|over))\b)",
    ],
}
for _cat, _pats in GENERAL.items():
    PATTERNS.setdefault(_cat, []).extend(_pats)
_COMPILED = {cat: [re.compile(p) for p in pats] for cat, pats in PATTERNS.items()}
_IDIOM_RE = [re.compile(p) for p in _IDIOMS] + [re.compile(_ACCIDENT), re.compile(_ACCIDENT2)]
_NEGATION_RE = [re.compile(p) for p in _NEGATION]
_CLINICAL_RE = re.compile(_CLINICAL)
_DISCLOSURE_RE = re.compile(_DISCLOSURE)
_BEREAVED_RE = re.compile(_BEREAVED)
_RECOVERED_RE = re.compile(_RECOVERED)
_PRESENT_RE = re.compile(_PRESENT_RISK)
_SUICIDE_WORD = re.compile(
    r"\bsuicid\w*|\bdie\b|\bdied\b|\bdeath\b|\bdeadly\b|\blethal\b|\bfatal\b|\bself[\s-]?harm\w*|\boverdos\w*|\bod\b|\bkill\w*\s+(?:myself|themselves|himself|herself)\b"
)
_QUESTION = re.compile(
    r"\?|^(?:does|do|is|are|can|could|will|would|should|how|what|why|when|who|which|has|have)\b|\bis\s+that\s+(?:right|true|normal|standard|a\s+thing)\b|\bam\s+i\s+(?:still\s+)?(?:disqualified|eligible|able|allowed|ok)\b"
)
# a question about the screening or about a history: "if i have a history of suicidal ideation am i disqualified",
# "why do you ask about suicidal thoughts on the intake form", "how does ketamine treat suicidal ideation"
_ABOUT_SCREENING = re.compile(
    r"\b(?:disqualif\w*|eligib\w*|rule\s+me\s+out|intake|the\s+form|(?:why|will|do|would)\s+you\s+ask|ask\s+(?:me\s+)?about|"
    r"history\s+of|a\s+past|previous|prior|ever\s+had|(?:treat|treats|treating|used\s+for|work\s+for|works\s+for|help\s+with)\s+(?:\w+\s+){0,2}(?:suicid\w*|self[\s-]?harm))"
)
_OWN_NOW = re.compile(
    r"\b(?:i'm|i\s+am|i\s+feel|i've\s+been|i\s+keep|my)\s+(?:\w+\s+){0,2}(?:suicid\w*|thoughts\s+of\s+(?:dying|death|suicide))"
)
# "I take all my pills in the morning": a daily routine, not intent; only a habit stated as a habit
_ROUTINE = re.compile(
    r"\bi\s+(?:usually\s+|always\s+|normally\s+|just\s+|often\s+)?(?:take|swallow|pop)\s+(?:all|a\s+handful|a\s+bunch|handfuls)\s+(?:of\s+)?(?:my\s+|the\s+)?(?:morning\s+|evening\s+|night\s+|nighttime\s+|bedtime\s+|daily\s+|other\s+)?"
    r"(?:pills|meds|medications|medicines|tablets|vitamins|supplements)\s+"
    r"(?:(?:together\s+|at\s+once\s+)?(?:in\s+the\s+(?:morning|evening)|at\s+(?:night|bedtime|once\s+in\s+the\s+morning)|with\s+(?:breakfast|lunch|dinner|food|meals?|water)|"
    r"every\s+(?:day|morning|night|evening)|each\s+(?:day|morning|night)|a\s+day|daily|as\s+prescribed|twice\s+a\s+day))\b"
)


def _blank(rx: re.Pattern, text: str) -> str:
    return rx.sub(lambda m: " " * len(m.group(0)), text)


def _guarded(text: str) -> str:
    """The normalised text with idioms, accidents, denials and routines blanked out."""
    for rx in (*_IDIOM_RE, *_NEGATION_RE, _ROUTINE):
        text = _blank(rx, text)
    return text


def _context_only(norm: str) -> bool:
    """True when the message's crisis words are someone else's finished past, a recovered past or a question
    about treatment, with nothing present or personal beside them."""
    if _BEREAVED_RE.search(norm) and not _DISCLOSURE_RISK.search(_BEREAVED_RE.sub(" ", norm)):
        return True
    if _RECOVERED_RE.search(norm) and not _PRESENT_RE.search(norm):
        return True
    if (
        _QUESTION.search(norm)
        and _ABOUT_SCREENING.search(norm)
        and not _PRESENT_RE.search(norm)
        and not _OWN_NOW.search(_ABOUT_SCREENING.sub(" ", norm))
    ):
        return True
    if _QUESTION.search(norm) and _CLINICAL_RE.search(norm) and _SUICIDE_WORD.search(norm):
        # a disclosure needs a first-person word close to the crisis word: "can ketamine help MY suicidal thoughts?"
        for m in _SUICIDE_WORD.finditer(norm):
            window = norm[max(0, m.start() - 30) : m.end() + 25]
            if _DISCLOSURE_RE.search(window):
                return False
        return True
    return False


# what still makes a bereaved person's message a crisis: their own wish or plan
_DISCLOSURE_RISK = re.compile(
    r"\b(?:i\s+want\s+to\s+(?:die|join|be\s+with)|i'm\s+(?:thinking|going|planning)|i've\s+been\s+thinking|kill\s+myself|end\s+my\s+life|i\s+don't\s+want\s+to\s+(?:live|go\s+on|be\s+here)|same\s+way|follow\s+(?:him|her|them))"
)


def crisis_categories(text: Optional[str]) -> List[str]:
    """The C-SSRS categories whose patterns match `text` (empty: no crisis language)."""
    if not text:
        return []
    norm = normalise(text)
    guarded = _guarded(norm)
    found = [cat for cat, rxs in _COMPILED.items() if any(rx.search(guarded) for rx in rxs)]
    if found and _context_only(norm):
        # the third-party and method checks still hold: "my brother died by suicide and my sister is cutting again"
        keep = [c for c in found if c in ("method_plan", "overdose_intent")]
        if "third_party" in found and re.search(
            r"\b(?:is|'s|has\s+been|keeps|again|tried|trying|wants|threaten)", _BEREAVED_RE.sub(" ", norm)
        ):
            keep.append("third_party")
        found = keep if not _RECOVERED_RE.search(norm) else []
    return found


def is_crisis(text: Optional[str]) -> bool:
    """True when the message contains crisis language (any C-SSRS category)."""
    return bool(crisis_categories(text))


def is_everyday_idiom(text: Optional[str], *, patterns_checked: bool = False) -> bool:
    """True when the message's only death, harm or overdose words are idioms, accidents, denials, routines,
    someone's finished past or a question about treatment: the learned layer may not call it a crisis.
    `patterns_checked`: the caller already knows no crisis pattern matched (saves running them twice)."""
    if not text:
        return False
    norm = normalise(text)
    if not patterns_checked and is_crisis(text):
        return False
    guarded = _guarded(norm)
    return guarded != norm or _context_only(norm)
