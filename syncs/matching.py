"""Suggested matches: which portal record (a company in the Directory, a project) an ERP record
(a staged vendor or job) most likely is. Pure Python, no database: the caller builds the
``Party`` values on both sides.

How two values are compared:

- Text is casefolded, accents dropped (NFKD), "&" read as "and", periods and apostrophes
  dropped ("L.L.C." is "llc"), other punctuation read as a space, whitespace collapsed, and
  Street/St, Avenue/Ave, Boulevard/Blvd, Road/Rd, Drive/Dr, Suite/Ste, North/N, South/S,
  East/E, West/W, Parkway/Pkwy, Highway/Hwy unified (in names too: "Platte St. Lofts").
- Names lose a leading "The" and their legal form at the end (Inc, LLC, Co, Corp, Ltd, LP,
  LLP, PLLC and the long forms). A number written in a name ("2403 Platte St. Lofts") is left
  out when it is either side's number.
- Tax ids compare on their digits; fewer than 5 digits or one digit repeated ("000000000") is a
  placeholder and never matches.
- Numbers compare as written without punctuation ("J-2401" is "j2401"); their digits alone
  (at least 3, leading zeros dropped) are the weaker "numeric core".
- An address is the street, then the city and the zip (its first 5 digits), from the fields or
  read off the address ("1500 Wynkoop Street, Denver 80202"). Same address: the same street
  (one may carry the other's city at its end) and the same zip or city.

Points, added and capped at 100: same tax id 95; same name 85, else a similar name 80 x the
similarity when that is at least 70% (words matched in any order, a misspelt word counting by
its likeness, a missing word lowering it: "Front Range Framing" is 86% of "Front Range Framing
Services"); same number 60, else the same numeric core or one side's number in the other's
name 30; same address 55; then two different tax ids take 30 off. A candidate under 50 is
not suggested. The top suggestion is ``confident`` (fit for "Link all suggested" after a
review) on a tax id match, on the same name with the address or a number agreeing, or at 90
points; never with two different tax ids, nor when the runner-up is within 5 points.

Only candidates that share something with the ERP record are scored (``PortalIndex``): the
tax id, the name, a number, the street's first two words, a name word held by at most 2% of
the portal records (at least 50), or the two rarest of its common words ("Denver Concrete"), so
a large Directory costs a few dozen comparisons per ERP record, not thousands. A misspelt name
that shares no word with the ERP record's is missed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import lru_cache

TAX_ID, SAME_NAME, SIMILAR_NAME, SAME_NUMBER, NUMBER_CORE, SAME_ADDRESS = 95, 85, 80, 60, 30, 55
TAX_ID_CONFLICT, THRESHOLD, SURE, AMBIGUOUS = 30, 50, 90, 5
MIN_SIMILARITY, WORD_LIKENESS = 0.7, 0.85

_ABBREVIATIONS = {
    "street": "st", "avenue": "ave", "boulevard": "blvd", "road": "rd", "drive": "dr",
    "suite": "ste", "north": "n", "south": "s", "east": "e", "west": "w", "parkway": "pkwy",
    "highway": "hwy",
}  # fmt: skip
_LEGAL_FORMS = frozenset({
    "inc", "incorporated", "llc", "co", "company", "corp", "corporation", "ltd", "limited", "lp",
    "llp", "pllc",
})  # fmt: skip
_STOPWORDS = frozenset({"and", "of", "the"})
_JOINED = str.maketrans("", "", ".'\u2019")
_ZIP_AT_END = re.compile(r"[\s,]+(\d{5})(?:-\d{4})?\s*$")


@dataclass(frozen=True)
class Party:
    """One side of a match: an ERP record or a portal record, as the caller read it."""

    key: int | str
    number: str = ""
    name: str = ""
    tax_id: str = ""
    address: str = ""
    city: str = ""
    zip: str = ""


@dataclass(frozen=True)
class Suggestion:
    """A portal record the ERP record may be, how sure (0-100), why, and whether it is safe to
    link in bulk after a review."""

    target: int | str
    score: int
    reasons: tuple[str, ...]
    confident: bool


def _words(text: str) -> tuple[str, ...]:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold().replace("&", " and ").translate(_JOINED)
    return tuple(_ABBREVIATIONS.get(w, w) for w in re.sub(r"[^\w\s]|_", " ", text).split())


def _name_words(name: str) -> tuple[str, ...]:
    words = list(_words(name))
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    while len(words) > 1 and (words[-1] in _LEGAL_FORMS or words[-1] == "and"):
        words.pop()
    return tuple(words)


def _without_state(words: tuple[str, ...]) -> tuple[str, ...]:
    return words[:-1] if len(words) > 1 and len(words[-1]) == 2 else words


def _core(digits: str) -> str:
    core = re.sub(r"\D", "", digits).lstrip("0")
    return core if len(core) >= 3 else ""


@dataclass(frozen=True)
class _Prepared:
    party: Party
    name: tuple[str, ...]
    tax: str
    number: str
    core: str
    name_numbers: frozenset[str]
    street: tuple[str, ...]
    city: tuple[str, ...]
    zip5: str
    street_text: str

    @classmethod
    def of(cls, party: Party) -> _Prepared:
        tax = re.sub(r"\D", "", party.tax_id)
        name = _name_words(party.name)
        text, zip5 = party.address.strip(), re.sub(r"\D", "", party.zip)[:5]
        found = _ZIP_AT_END.search(text)
        if found and found.start() > 0:
            text, zip5 = text[: found.start()], zip5 or found.group(1)
        street_part, _, rest = text.partition(",")
        street = _words(street_part)
        # "Denver, CO" or "Suite 200, Denver": the city is the last part that is not a state
        towns = [_without_state(w) for w in map(_words, rest.split(",")) if len("".join(w)) > 2]
        return cls(
            party=party,
            name=name,
            tax=tax if len(tax) >= 5 and len(set(tax)) > 1 else "",
            number="".join(_words(party.number)),
            core=_core(party.number),
            name_numbers=frozenset(filter(None, (_core(w) for w in name if w.isdigit()))),
            street=street if len(street) >= 2 else (),
            city=_words(party.city) or (towns[-1] if towns else ()),
            zip5=zip5 if len(zip5) == 5 else "",
            street_text=text.strip(" ,"),
        )

    def name_without(self, *cores: str) -> tuple[str, ...]:
        """The name's words less a number written in it that is one of ``cores``."""
        kept = tuple(w for w in self.name if not (w.isdigit() and _core(w) in set(cores) - {""}))
        return kept or self.name


@lru_cache(maxsize=1 << 16)
def _likeness(a: str, b: str) -> float:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < WORD_LIKENESS or matcher.quick_ratio() < WORD_LIKENESS:
        return 0.0
    return matcher.ratio()


def _similarity(a: Iterable[str], b: Iterable[str]) -> float:
    """How alike two names' words are, 0-1, whatever their order: the words both hold, plus
    each misspelt word by its likeness, over the words of both (a Dice coefficient)."""
    left, right = set(a) - _STOPWORDS, set(b) - _STOPWORDS
    if not left or not right:
        return 0.0
    shared = left & right
    only_left, only_right = sorted(left - shared), sorted(right - shared)
    best_case = len(shared) + min(len(only_left), len(only_right))
    if 2 * best_case / (len(left) + len(right)) < MIN_SIMILARITY:
        return 2 * len(shared) / (len(left) + len(right))
    matched = float(len(shared))
    for word in only_left:
        score, other = max(((_likeness(word, o), o) for o in only_right), default=(0.0, ""))
        if score >= WORD_LIKENESS:
            matched += score
            only_right.remove(other)
    return 2 * matched / (len(left) + len(right))


def _same_address(e: _Prepared, p: _Prepared) -> bool:
    if not e.street or not p.street:
        return False
    short, long = sorted((e, p), key=lambda x: len(x.street))
    if long.street[: len(short.street)] != short.street:
        return False
    # "1500 Wynkoop St Denver" holds its city in the street: read it as the city
    tail = _without_state(long.street[len(short.street) :])
    if tail and tail not in (short.city, long.city):
        return False
    city = tail or long.city
    return bool(e.zip5 and e.zip5 == p.zip5) or bool(city and city == short.city)


def _score(e: _Prepared, p: _Prepared) -> tuple[int, tuple[str, ...], bool]:
    """The points, the reasons and whether the match is sure enough to be confident."""
    points, reasons, named, numbered, placed, conflict = 0, [], False, False, False, False
    if e.tax and e.tax == p.tax:
        points += TAX_ID
        reasons.append(f"Same tax id ({p.party.tax_id.strip()})")
    elif conflict := bool(e.tax and p.tax):
        reasons.append(f"Different tax ids ({e.party.tax_id.strip()} / {p.party.tax_id.strip()})")
    mine, theirs = e.name_without(e.core, p.core), p.name_without(e.core, p.core)
    if mine and mine == theirs:
        points, named = points + SAME_NAME, True
        same = e.party.name.strip() == p.party.name.strip()
        reasons.append(
            f'Same name ("{p.party.name.strip()}")'
            if same
            else f'Name matches ("{e.party.name.strip()}" ~ "{p.party.name.strip()}")'
        )
    elif (alike := _similarity(mine, theirs)) >= MIN_SIMILARITY:
        points += round(SIMILAR_NAME * alike)
        reasons.append(f"Similar name ({round(100 * alike)}%)")
    if e.number and e.number == p.number:
        points, numbered = points + SAME_NUMBER, True
        reasons.append(f"Same number ({p.party.number.strip()})")
    elif e.core and e.core == p.core:
        points, numbered = points + NUMBER_CORE, True
        reasons.append(f"Similar number ({e.party.number.strip()} ~ {p.party.number.strip()})")
    elif (e.core and e.core in p.name_numbers) or (p.core and p.core in e.name_numbers):
        points, numbered = points + NUMBER_CORE, True
        reasons.append(f"Number in name ({e.core if e.core in p.name_numbers else p.core})")
    if _same_address(e, p):
        points, placed = points + SAME_ADDRESS, True
        shown, town = p.street_text, p.party.city.strip()
        if town and town.casefold() not in shown.casefold():
            shown = f"{shown}, {town}"
        reasons.append(f"Same address ({shown})")
    points = max(0, min(100, points) - (TAX_ID_CONFLICT if conflict else 0))
    sure = not conflict and (
        bool(e.tax and e.tax == p.tax) or (named and (numbered or placed)) or points >= SURE
    )
    return points, tuple(reasons), sure


class PortalIndex:
    """The portal records, looked up by what an ERP record can share with them, so each ERP
    record is scored against a handful of candidates rather than the whole Directory."""

    def __init__(self, portal: Sequence[Party]) -> None:
        self._records = [_Prepared.of(party) for party in portal]
        self._by: dict[str, dict[object, list[int]]] = defaultdict(lambda: defaultdict(list))
        for i, p in enumerate(self._records):
            for kind, value in self._keys(p):
                self._by[kind][value].append(i)
        self._crowded = max(50, len(self._records) // 50)

    @staticmethod
    def _keys(p: _Prepared) -> Iterable[tuple[str, object]]:
        yield "tax", p.tax
        yield "name", p.name_without(p.core)
        yield "number", p.number
        yield "core", p.core
        for number in p.name_numbers:
            yield "core", number
        yield "street", p.street[:2]
        for word in set(p.name) - _STOPWORDS:
            if not word.isdigit():
                yield "word", word

    def _candidates(self, e: _Prepared) -> list[_Prepared]:
        found: set[int] = set()
        crowded: list[list[int]] = []
        for kind, value in self._keys(e):
            hits = self._by[kind].get(value, []) if value else []
            if kind == "word" and len(hits) > self._crowded:
                crowded.append(hits)
            else:
                found.update(hits)
        if len(crowded) >= 2:  # common words only ("Denver Concrete"): those holding the rarest two
            rarest, second = sorted(crowded, key=len)[:2]
            both = set(rarest).intersection(second)
            found.update(both if len(both) <= self._crowded else ())
        return [self._records[i] for i in sorted(found)]

    def candidates(self, erp: Party) -> list[Party]:
        """The portal records that ``erp`` will be scored against."""
        return [p.party for p in self._candidates(_Prepared.of(erp))]


def _order(key: int | str) -> tuple[int, int, str]:
    return (0, key, "") if isinstance(key, int) else (1, 0, key)


def _suggest(e: _Prepared, index: PortalIndex, limit: int) -> list[Suggestion]:
    ranked = []
    for p in index._candidates(e):
        points, reasons, sure = _score(e, p)
        if points >= THRESHOLD:
            rank = (-points, _words(p.party.name), _order(p.party.key))
            ranked.append((rank, Suggestion(p.party.key, points, reasons, sure)))
    ranked.sort(key=lambda pair: pair[0])
    found = [suggestion for _, suggestion in ranked]
    clear = len(found) < 2 or found[0].score - found[1].score > AMBIGUOUS
    top = found[: max(limit, 0)]
    return [replace(s, confident=s.confident and i == 0 and clear) for i, s in enumerate(top)]


def suggest(
    erp: Party, portal: Sequence[Party] | PortalIndex, *, limit: int = 3
) -> list[Suggestion]:
    """The portal records ``erp`` most likely is, best first (score, then name, then key); at
    most ``limit``. Build a ``PortalIndex`` once to ask for many ERP records."""
    index = portal if isinstance(portal, PortalIndex) else PortalIndex(portal)
    return _suggest(_Prepared.of(erp), index, limit)


def suggest_all(
    erp: Sequence[Party], portal: Sequence[Party], *, limit: int = 3
) -> dict[int | str, list[Suggestion]]:
    """Suggestions for many ERP records at once; also guarantees that no portal record is the
    *confident* top suggestion of two ERP records (one ERP record links to one portal record):
    when two ERP records compete for one target, only the better keeps it confident (on a tie,
    neither does)."""
    index = PortalIndex(portal)
    found = {record.key: _suggest(_Prepared.of(record), index, limit) for record in erp}
    rivals: dict[int | str, list[int]] = defaultdict(list)
    for suggestions in found.values():
        if suggestions and suggestions[0].confident:
            rivals[suggestions[0].target].append(suggestions[0].score)
    for suggestions in found.values():
        if suggestions and suggestions[0].confident:
            scores = sorted(rivals[suggestions[0].target], reverse=True)
            if len(scores) > 1 and (suggestions[0].score < scores[0] or scores[0] == scores[1]):
                suggestions[0] = replace(suggestions[0], confident=False)
    return found
