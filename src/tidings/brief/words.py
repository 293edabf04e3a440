"""English word handling shared by the brief stages: tokens, stopwords, lemmas and paraphrase classes."""

from __future__ import annotations

import re
from functools import lru_cache

import simplemma

WORD_RE = re.compile(r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f'’-]*|\d+(?:[.,]\d+)*")


def wordlist(text: str) -> frozenset[str]:
    """The whitespace-separated words of a text block, as a set."""
    return frozenset(text.split())


STOPWORDS = frozenset(
    wordlist(
        """
        a about above after again against all also although am an and any are as at be because been before
        being below between both but by can could did do does doing down during each either else even ever
        every few for from further had has have having he her here hers herself him himself his how
        however i if in into is it its itself just least less let like may me might more most much must my
        myself neither no nor not now of off on once only or other ought our ours ourselves out over own
        per rather same shall she should since so some such than that the their theirs them themselves
        then there these they this those though through thus to too under until up upon us very via was we
        were what when where whether which while who whom whose why will with within without would yet you
        your yours yourself still already instead another one ones its' s t mr mrs ms dr said says say
        saying told tell according reported reports report added stressed noted stated announced confirmed
        affirmed claimed explained insisted also around nearly almost approximately roughly some several
        many dozens hundreds thousands more fewer least most just over under than up predicted expected
        forecast planned scheduled originally previously initially earlier later projected estimated
        anticipated officials official experts expert observers sources source news first second third new
        next year years today yesterday tomorrow week month monday tuesday wednesday thursday friday
        saturday sunday
        """
    )
)

# Words that name the same thing in news paraphrase; each maps to one class word (chosen on the dev pairs).
PARAPHRASE = {
    "meeting": "meet",
    "met": "meet",
    "summit": "meet",
    "talk": "meet",
    "talks": "meet",
    "discussion": "meet",
    "conversation": "meet",
    "session": "meet",
    "encounter": "meet",
    "dead": "kill",
    "die": "kill",
    "died": "kill",
    "death": "kill",
    "deaths": "kill",
    "fatality": "kill",
    "fatalities": "kill",
    "killed": "kill",
    "toll": "kill",
    "life": "kill",
    "lives": "kill",
    "wounded": "injure",
    "wound": "injure",
    "injury": "injure",
    "injuries": "injure",
    "hurt": "injure",
    "injured": "injure",
    "readmit": "return",
    "reinstate": "return",
    "restore": "return",
    "resume": "return",
    "begin": "start",
    "initiate": "start",
    "launch": "start",
    "commence": "start",
    "invitation": "invite",
    "consultations": "consultation",
    "negotiation": "negotiate",
    "negotiations": "negotiate",
    "party": "side",
    "parties": "side",
    "nation": "country",
    "individual": "person",
    "people": "person",
    "persons": "person",
    "resident": "person",
    "residents": "person",
    "civilian": "person",
    "civilians": "person",
    "victim": "person",
    "victims": "person",
    "cost": "spend",
    "costs": "spend",
    "price": "spend",
    "fund": "spend",
    "funding": "spend",
    "allocate": "spend",
    "worth": "spend",
    "budget": "spend",
    "pledge": "spend",
    "aid": "spend",
    "package": "spend",
    "lasted": "last",
    "go": "last",
    "continue": "last",
    "long": "last",
    "length": "last",
    "duration": "last",
    "rise": "increase",
    "grow": "increase",
    "growth": "increase",
    "climb": "increase",
    "jump": "increase",
    "gain": "increase",
    "fall": "decrease",
    "drop": "decrease",
    "decline": "decrease",
    "slide": "decrease",
    "shrink": "decrease",
    "missing": "miss",
    "unaccounted": "miss",
    "detain": "arrest",
    "detained": "arrest",
    "arrested": "arrest",
    "displace": "evacuate",
    "flee": "evacuate",
    "evacuation": "evacuate",
    "quake": "earthquake",
    "tremor": "earthquake",
    "magnitude": "earthquake",
    "storey": "floor",
    "house": "home",
    "houses": "home",
    "distance": "far",
    "away": "far",
    "stretch": "far",
    "unemployment": "jobless",
    "inflation": "price-rise",
}


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The English lemma of a lowercase word, mapped to its paraphrase class."""
    if word in PARAPHRASE:
        return PARAPHRASE[word]
    base = simplemma.lemmatize(word, lang="en") if word.isalpha() else word
    return PARAPHRASE.get(base, base)


def tokens(text: str) -> list[str]:
    """Word and number tokens of a text, as written."""
    return WORD_RE.findall(text)


def content_lemmas(text: str) -> list[str]:
    """Lemmas of the content words of a text: no stopwords, no numbers, no one-letter words."""
    out = []
    for tok in tokens(text):
        low = tok.lower().strip("'’-")
        if len(low) < 2 or low in STOPWORDS or low[0].isdigit():
            continue
        lem = lemma(low)
        if lem not in STOPWORDS:
            out.append(lem)
    return out
