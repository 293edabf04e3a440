"""People, organisations and places of an event, one canonical name across spellings (rules, gazetteer)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from tidings.brief.model import BriefArticle, Entity
from tidings.brief.words import wordlist

# Two first names are one transliterated name at this rapidfuzz ratio of their normalised keys: joins
# Aleksei/Alexei, Volodymyr/Wolodymyr; splits Joe/John (tests/data/brief/entities.jsonl, docs/eval-brief.md).
FIRST_NAME_RATIO = 80
# Organisation or place spellings that differ only slightly (rapidfuzz ratio of keys) are one entity.
NAME_RATIO = 92

_TITLES = frozenset(
    wordlist(
        """
        president vice prime minister foreign secretary state chancellor mr mrs ms dr sen senator gen
        general king queen prince princess pope spokesman spokeswoman spokesperson governor mayor
        ambassador judge opponent leader opposition host premier chairman chairwoman chair ceo director
        chief commander envoy defence defense interior finance deputy former acting sir lord lady rep
        representative colonel captain lieutenant sheikh emir ayatollah patriarch archbishop bishop
        cardinal father saint dame
        """
    )
)
_PERSON_TITLES = _TITLES - frozenset(
    ["state", "foreign", "defence", "defense", "interior", "finance", "former", "acting", "vice"]
)
_DEMONYMS = {
    "russian": "russia",
    "russia's": "russia",
    "russia": "russia",
    "kremlin": "russia",
    "us": "us",
    "u.s.": "us",
    "american": "us",
    "america's": "us",
    "united states": "us",
    "ukrainian": "ukraine",
    "ukraine's": "ukraine",
    "chinese": "china",
    "china's": "china",
    "french": "france",
    "german": "germany",
    "british": "uk",
    "uk": "uk",
    "swiss": "switzerland",
    "israeli": "israel",
    "iranian": "iran",
    "turkish": "turkey",
    "indian": "india",
    "japanese": "japan",
    "spanish": "spain",
    "italian": "italy",
    "polish": "poland",
    "belarusian": "belarus",
    "mexican": "mexico",
    "brazilian": "brazil",
    "canadian": "canada",
    "vietnamese": "vietnam",
    "palestinian": "palestine",
}
_ADJECTIVES = frozenset(k for k, v in _DEMONYMS.items() if k != v and " " not in k) | {"us", "u.s.", "uk"}
_ALIASES = {
    "US": "United States",
    "U.S.": "United States",
    "USA": "United States",
    "America": "United States",
    "UK": "United Kingdom",
    "Britain": "United Kingdom",
    "Kiev": "Kyiv",
}
_STOP_CAPS = frozenset(
    wordlist(
        """
        the a an and but or if in on at after before during when while although though despite since until
        this that these those it its he she they we i you our his her their there here then also only once
        both all some many most several according however meanwhile yet so as for from with without by of
        to into speaking during among between about what which who whom whose where why how no not yes do
        does did is are was were be been being has have had will would can could should may might must
        shall let january february march april may june july august september october november december
        monday tuesday wednesday thursday friday saturday sunday source news photo video read more members
        both
        """
    )
)
_ORG_WORDS = frozenset(
    wordlist(
        """
        organization organisation treaty ministry party council union news press agency committee bank
        group inc corp company university court parliament congress senate house kremlin pentagon fund
        forum times post network association federation institute commission assembly office department
        army navy police alliance nations statement
        """
    )
)
_PLACES = frozenset(
    wordlist(
        """
        afghanistan albania algeria argentina armenia australia austria azerbaijan bangladesh belarus
        belgium bolivia bosnia brazil bulgaria cambodia cameroon canada chile china colombia croatia cuba
        cyprus czechia denmark ecuador egypt estonia ethiopia finland france georgia germany ghana greece
        guatemala haiti honduras hungary iceland india indonesia iran iraq ireland israel italy japan
        jordan kazakhstan kenya korea kosovo kuwait latvia lebanon libya lithuania malaysia mali mexico
        moldova mongolia morocco myanmar nepal netherlands nicaragua niger nigeria norway pakistan
        palestine panama paraguay peru philippines poland portugal qatar romania russia rwanda serbia
        singapore slovakia slovenia somalia spain sudan sweden switzerland syria taiwan tanzania thailand
        tunisia turkey uganda ukraine uruguay uzbekistan venezuela vietnam yemen zambia zimbabwe europe
        asia africa america gaza crimea donbas belgium washington moscow geneva london paris berlin
        beijing kyiv kiev tokyo delhi brussels rome madrid hanoi jerusalem tehran ankara istanbul cairo
        minsk warsaw vienna seoul taipei manila jakarta bangkok sydney ottawa toronto havana caracas
        bogota lima santiago nairobi lagos johannesburg dubai riyadh doha baghdad damascus beirut kabul
        islamabad mumbai shanghai osaka milan barcelona munich prague budapest lisbon dublin oslo
        stockholm copenhagen helsinki athens sofia bucharest belgrade zagreb tbilisi baku yerevan almaty
        tashkent
        """
    )
) | {
    "united states",
    "united kingdom",
    "middle east",
    "east coast",
    "south korea",
    "north korea",
    "new york",
    "saudi arabia",
    "new zealand",
    "south africa",
    "hong kong",
    "white house",
}

_NAME_RE = re.compile(
    r"(?:[A-Z][\w'’.-]*|[A-Z]\.)(?:\s+(?:(?:de|del|da|di|van|von|der|la|le|bin|al|of|the)\s+)?"
    r"(?:[A-Z][\w'’.-]*|[A-Z]\.))*"
)
_ACRONYM_RE = re.compile(
    r"([A-Z][\w'’.-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'’.-]*)+)\s*\(([A-Z][A-Z0-9-]{1,9})\)"
)
# "Russian President Vladimir Putin", "the Russian Foreign Minister, Sergei Lavrov", "his spokesman, Peskov"
_ROLE_NAME_RE = re.compile(
    r"((?:(?:[A-Z][\w.'’]*|of|the)\s+){0,4}?(?:[Pp]resident|[Mm]inister|[Ss]ecretary(?: of [Ss]tate)?|"
    r"[Cc]hancellor|[Ss]pokes(?:man|woman|person)|[Pp]remier|[Ll]eader|[Kk]ing|[Gg]overnor|[Mm]ayor)"
    r"(?:\s+of(?:\s+the)?\s+[A-Z][\w]+(?:\s+[A-Z][\w]+)?)?),?\s+"
    r"((?:[A-Z][\w'’-]+|[A-Z]\.)(?:\s+(?:[A-Z][\w'’-]+|[A-Z]\.)){1,3})"
)
_SPEAKS_RE = re.compile(r",?\s+(?:said|says|told|added|stressed|announced|wrote|tweeted|insisted|argued)\b")
# Common given names (several languages, several transliterations) marking a two-word name as a person.
GIVEN_NAMES = frozenset(
    wordlist(
        """
        john james robert michael william david richard joseph thomas charles joe donald george barack
        hillary mary patricia jennifer linda elizabeth susan jessica sarah karen nancy lisa emmanuel
        angela olaf boris rishi keir theresa justin narendra xi recep benjamin volodymyr wolodymyr
        vladimir sergei sergey alexei alexey aleksei dmitry dmitri mikhail maria anna olga ivan igor yuri
        andrei andrey nikolai viktor ali mohammed muhammad ahmed hassan hussein omar mahmoud abdul fatima
        kim lee park shinzo fumio jair lula luiz andres manuel pedro juan carlos jose antonio francisco
        javier pablo miguel luis jorge ana carmen marine nicolas francois jean pierre marie giorgia mario
        matteo silvio angela friedrich ursula charles antony anthony kamala mike nancy ron kevin guy
        """
    )
)
_TRANSLIT = [
    ("dzh", "j"),
    ("zh", "j"),
    ("kh", "h"),
    ("ks", "x"),
    ("ph", "f"),
    ("ey", "ei"),
    ("iy", "i"),
    ("yi", "i"),
    ("ij", "i"),
    ("y", "i"),
    ("ou", "u"),
    ("w", "v"),
    ("ck", "k"),
    ("c", "k"),
]


def fold(text: str) -> str:
    """Lowercase ASCII form of a name: accents removed."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def name_key(token: str) -> str:
    """Transliteration-insensitive key of one name token: Sergey → sergei, Aleksei → alexei."""
    key = fold(token).strip(".'’")
    for a, b in _TRANSLIT:
        key = key.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", key)


def drop_initials(name: str) -> str:
    """A name without middle initials: "Vladimir V. Putin" → "Vladimir Putin"."""
    words = name.split()
    kept = [w for i, w in enumerate(words) if not (0 < i < len(words) - 1 and re.fullmatch(r"[A-Z]\.?", w))]
    return " ".join(kept)


def role_key(phrase: str) -> frozenset[str]:
    """Words of a role phrase with demonyms normalised: "the Russian president" → {russia, president}."""
    words = set()
    for w in re.findall(r"[\w.'’]+", phrase.lower()):
        w = _DEMONYMS.get(w, w)
        if w in ("the", "of", "his", "her", "its", "a", "states"):
            continue
        words.add("president" if w == "leader" else w)
    return frozenset(words)


@dataclass
class _Mention:
    text: str
    article_id: int
    person_hint: bool
    initial: bool


@dataclass
class EntityIndex:
    """Canonical names of an event's entities and the roles that name people ("the Russian president")."""

    entities: list[Entity] = field(default_factory=list)
    by_spelling: dict[str, str] = field(default_factory=dict)
    by_surname: dict[str, str] = field(default_factory=dict)
    roles: dict[frozenset[str], Counter[str]] = field(default_factory=dict)

    def canonical(self, surface: str) -> str | None:
        """The canonical name for a spelling seen in the event, or None."""
        name = drop_initials(_strip_titles(surface)[0])
        found = self.by_spelling.get(name) or self.by_spelling.get(_ALIASES.get(name, name))
        words = name.split()
        if found is None and words:
            person = self.by_surname.get(name_key(words[-1]))
            if person and (
                len(words) == 1
                or fuzz.ratio(name_key(words[0]), name_key(person.split()[0])) >= FIRST_NAME_RATIO
            ):
                found = person
        return found

    def role(self, phrase: str) -> str | None:
        """The person a role phrase names in this event ("said the Russian president" → Vladimir Putin)."""
        key = role_key(phrase)
        if not key:
            return None
        best: Counter[str] = Counter()
        for role, people in self.roles.items():
            if key <= role:
                best.update(people)
        return best.most_common(1)[0][0] if best else None


def _strip_titles(text: str) -> tuple[str, bool]:
    """A name without leading titles and demonyms; True when a person title was there."""
    words = text.replace("’s", "").replace("'s", "").split()
    person = False
    while len(words) > 1 and (
        words[0].lower().strip(".") in _TITLES
        or words[0].lower() in _ADJECTIVES
        or words[0].lower() in ("of", "the")
        or (len(words) > 2 and words[1].lower().strip(".") in _PERSON_TITLES)
    ):
        person = person or words[0].lower().strip(".") in _PERSON_TITLES
        words = words[1:]
    return " ".join(words).strip(" .,"), person


def _mentions(article: BriefArticle) -> list[_Mention]:
    out = []
    for sentence in article.sentences:
        text = sentence.text
        for m in _NAME_RE.finditer(text):
            raw = m.group(0)
            words = raw.split()
            initial = m.start() == 0 or text[: m.start()].rstrip()[-1:] in ('"', "“", "(")
            while words and words[0].lower().strip(".") in _STOP_CAPS:
                words = words[1:]
                initial = False
            while words and words[-1].lower() in ("of", "the", "de", "la"):
                words = words[:-1]
            if not words:
                continue
            name, person = _strip_titles(" ".join(words))
            person = (
                person or bool(_SPEAKS_RE.match(text, m.end())) or text[: m.start()].rstrip().endswith(",")
            )
            if (
                len(name) < 2
                or name.lower() in _STOP_CAPS
                or name.lower() in _TITLES
                or name.lower() in _ADJECTIVES
            ):
                continue
            out.append(_Mention(name, article.id, person, initial and len(name.split()) == 1))
    return out


def _kind(spellings: Sequence[str], person_hint: bool, acronyms: dict[str, str]) -> str:
    lows = [fold(s) for s in spellings]
    if any(low in _PLACES for low in lows):
        return "place"
    if any(set(low.split()) & _ORG_WORDS for low in lows) or any(s in acronyms for s in spellings):
        return "organisation"
    if person_hint:
        return "person"
    if any(s.isupper() and len(s) <= 6 for s in spellings):
        return "organisation"
    if any(len(s.split()) >= 2 and fold(s.split()[0]) in GIVEN_NAMES for s in spellings):
        return "person"
    return "other"


def build_index(articles: Sequence[BriefArticle]) -> EntityIndex:
    """Entities of an event, one per real-world referent, and the role → person map."""
    mentions = [m for a in articles for m in _mentions(a)]
    acronyms: dict[str, str] = {}
    for a in articles:
        for s in a.sentences:
            for found in _ACRONYM_RE.finditer(s.text):
                acronyms[found.group(2)] = _strip_titles(found.group(1))[0]
    _infer_acronyms(mentions, acronyms)
    persons = {drop_initials(m.text) for m in mentions if m.person_hint and len(m.text.split()) >= 2}
    surnames: dict[str, list[str]] = defaultdict(list)
    for p in sorted(
        persons, key=lambda p: next(i for i, m in enumerate(mentions) if drop_initials(m.text) == p)
    ):
        surnames[name_key(p.split()[-1])].append(p)
    # a capitalised word opening a sentence is a name only if seen elsewhere, or a known surname or acronym
    seen_inside = {m.text for m in mentions if not m.initial}
    mentions = [
        m
        for m in mentions
        if not m.initial
        or m.text in seen_inside
        or m.text in acronyms
        or name_key(m.text) in surnames
        or fold(m.text) in _PLACES
    ]
    clusters: dict[str, list[_Mention]] = defaultdict(list)
    for m in mentions:
        clusters[_cluster_key(drop_initials(m.text), surnames, acronyms)].append(m)
    clusters = _merge_fuzzy(clusters)
    index = EntityIndex()
    for members in clusters.values():
        entity = _entity(members, acronyms)
        index.entities.append(entity)
        for spelling in entity.spellings:
            index.by_spelling[drop_initials(spelling)] = entity.name
        if entity.kind == "person":
            index.by_surname.setdefault(name_key(entity.name.split()[-1]), entity.name)
    index.entities.sort(key=lambda e: (-e.mentions, e.name))
    _read_roles(articles, index)
    return index


def _infer_acronyms(mentions: list[_Mention], acronyms: dict[str, str]) -> None:
    """EU → European Union when the event also names it in full."""
    longs = {m.text for m in mentions if len(m.text.split()) >= 2}
    for m in mentions:
        if m.text.isupper() and 2 <= len(m.text) <= 6 and m.text not in acronyms:
            for long in longs:
                initials = "".join(w[0] for w in long.split() if w.lower() not in ("of", "the", "and", "for"))
                if initials.upper() == m.text:
                    acronyms[m.text] = long
                    break


def _cluster_key(name: str, surnames: dict[str, list[str]], acronyms: dict[str, str]) -> str:
    name = _ALIASES.get(name, name)
    if name in acronyms:
        name = acronyms[name]
    words = name.split()
    candidates = surnames.get(name_key(words[-1]), [])
    if len(words) == 1 and candidates:
        return "person:" + name_key(words[-1]) + ":" + name_key(candidates[0].split()[0])
    if len(words) >= 2 and candidates:
        first = name_key(words[0])
        for c in candidates:
            if fuzz.ratio(first, name_key(c.split()[0])) >= FIRST_NAME_RATIO:
                return "person:" + name_key(words[-1]) + ":" + name_key(c.split()[0])
    return "name:" + " ".join(name_key(w) for w in words)


def _merge_fuzzy(clusters: dict[str, list[_Mention]]) -> dict[str, list[_Mention]]:
    keys = sorted(clusters, key=lambda k: -len(clusters[k]))
    merged: dict[str, list[_Mention]] = {}
    for key in keys:
        target = None
        if key.startswith("name:") and len(key) > 8:
            target = next(
                (k for k in merged if k.startswith("name:") and fuzz.ratio(k, key) >= NAME_RATIO), None
            )
        if target:
            merged[target].extend(clusters[key])
        else:
            merged[key] = list(clusters[key])
    return merged


def _entity(members: list[_Mention], acronyms: dict[str, str]) -> Entity:
    spellings = Counter(m.text for m in members)
    forms = Counter(drop_initials(m.text) for m in members)
    plain = [f for f in forms if f not in acronyms and f not in _ALIASES]
    full = [f for f in plain if len(f.split()) >= 2] or plain or list(forms)
    by_articles = {f: len({m.article_id for m in members if drop_initials(m.text) == f}) for f in full}
    order = {f: i for i, f in reversed(list(enumerate(drop_initials(m.text) for m in members)))}
    # most articles, then most mentions, then longest, then the spelling seen first
    name = min(full, key=lambda f: (-by_articles[f], -forms[f], -len(f.split()), order[f]))
    person_hint = any(m.person_hint for m in members) or name.startswith("person:")
    return Entity(
        name=name,
        kind=_kind(list(spellings), person_hint, acronyms),
        spellings=tuple(sorted(spellings, key=lambda s: (-spellings[s], s))),
        mentions=len(members),
        article_ids=tuple(sorted({m.article_id for m in members})),
    )


def _read_roles(articles: Sequence[BriefArticle], index: EntityIndex) -> None:
    for a in articles:
        for s in a.sentences:
            for m in _ROLE_NAME_RE.finditer(s.text):
                person = index.canonical(m.group(2))
                key = role_key(m.group(1))
                if person and key & {
                    "president",
                    "minister",
                    "secretary",
                    "chancellor",
                    "spokesman",
                    "spokeswoman",
                    "spokesperson",
                    "premier",
                    "king",
                    "governor",
                    "mayor",
                }:
                    index.roles.setdefault(key, Counter())[person] += 1


def extract_entities(articles: Sequence[BriefArticle]) -> tuple[Entity, ...]:
    """People, organisations and places of an event, most mentioned first."""
    return tuple(e for e in build_index(articles).entities if e.kind != "other" or e.mentions > 1)
