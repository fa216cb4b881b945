"""Regular expressions for identifiers with a fixed shape: phones, emails, postcodes, NHS and National
Insurance numbers, dates, ages, addresses, streets, estates and named institutions.

Each pattern names the group that is the identifier (often less than the match: "9" in "aged 9",
"Gipton" in "the Gipton estate"), and may carry a check on the match (the NHS number's check digit).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from qualkit.anonymise.detection import Detection, make
from qualkit.anonymise.lexicon import Lexicon
from qualkit.anonymise.vocabulary import (
    CALENDAR_WORDS,
    DECADE_WORDS,
    LANGUAGES,
    MONTH_ABBREVIATIONS,
    MONTHS,
    NUMBER_WORD_PATTERN,
    WEEKDAY_ABBREVIATIONS,
    WEEKDAYS,
)


@dataclass(frozen=True)
class Pattern:
    label: str
    regex: re.Pattern[str]
    reason: str
    group: int | str = 0
    check: Callable[[re.Match[str], Lexicon], bool] | None = None


def _alternatives(words: list[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


# ---------------------------------------------------------------------------------------- phones
_PREFIX = r"(?:\+44\s?(?:\(0\)\s?)?|0)"
_SEP = r"[\s-]?"
PHONE = re.compile(rf"""(?<![\w+])(?:
    {_PREFIX}7\d{{3}}{_SEP}\d{{3}}{_SEP}\d{{3}}                         # mobile 07700 900123
  | {_PREFIX}2\d{_SEP}\d{{4}}{_SEP}\d{{4}}                             # 020 7946 0018
  | {_PREFIX}1\d{{2}}{_SEP}\d{{3}}{_SEP}\d{{4}}                         # 0161 496 0000
  | {_PREFIX}1\d{{3}}{_SEP}\d{{3}}{_SEP}?\d{{2,3}}                      # 01632 960 214
  | {_PREFIX}[389]\d{{2}}{_SEP}\d{{3}}{_SEP}\d{{4}}                     # 0808 802 4040
  | \(0(?:1\d{{2,3}}|2\d|[389]\d{{2}})\)\s?\d{{3,4}}{_SEP}\d{{3,4}}     # (0161) 4960000
)(?![\d])""", re.VERBOSE)

# Part of a number, as people quote one from memory or cut it short: "07700 900 — something",
# "0151 233 ...": a UK dialling code and at least one more group of three digits.
PARTIAL_PHONE = re.compile(r"""(?<![\w+./-])(?:
    (?:\+44[^\S\n]?|0)7\d{3}[^\S\n-]?\d{3}            # mobile: 07700 900
  | 0(?:1\d{2,3}|2\d|[389]\d{2})[^\S\n-]?\d{3}        # landline: 0151 233, 020 794
)(?![\d/.:]\d|\d|[^\S\n]\d)""", re.VERBOSE)
# A number spaced as it was read out or typed: "0 7 7 0 0 9 0 0 1 2 3", "07 700 900 123".
SPACED_PHONE = re.compile(r"(?<![\w+])(?:\+44|0)(?:[^\S\n]?\d){9,10}(?![^\S\n]?\d)")
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# The full UK format (area, district, sector, unit), in capitals or in lower case as typed.
POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW]?|\d{2}|[A-HK-Y]\d[ABEHMNPRV-Y]?|[A-HK-Y]\d{2})"
    r" ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE)

# ------------------------------------------------------------------------------------ ID numbers
NHS_NUMBER = re.compile(r"(?<![\d-])\d{3}([\s-]?)\d{3}\1\d{4}(?![\d-])")
NHS_CONTEXT = re.compile(r"\b(?:NHS|CHI|health)\b[^.\n]{0,30}$", re.IGNORECASE)
NI_NUMBER = re.compile(
    r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
    re.IGNORECASE)
REFERENCE = re.compile(
    r"\b(?:ref(?:erence)?|case|client|file|record|patient|account|crime|incident|log|member(?:ship)?|"
    r"UPN|ULN|CHI|ID)\s*(?:no\.?|number|num|ref|id)?\s*[:#.]?\s*"
    r"(?P<id>(?=[A-Z0-9/-]*\d)[A-Z0-9][A-Z0-9/-]{3,})\b", re.IGNORECASE)


def nhs_number_valid(digits: str) -> bool:
    """The NHS number's modulus 11 check digit."""
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return (0 if check == 11 else check) == int(digits[9]) and check != 10


def _nhs(match: re.Match[str], _: Lexicon) -> bool:
    digits = re.sub(r"\D", "", match.group())
    if nhs_number_valid(digits):
        return True
    return bool(NHS_CONTEXT.search(match.string[max(0, match.start() - 40):match.start()]))


# ----------------------------------------------------------------------------------------- dates
_MONTH = rf"(?:{_alternatives(MONTHS)}|(?:{_alternatives(MONTH_ABBREVIATIONS)})\b\.?)"
_WEEKDAY = rf"(?:{_alternatives(WEEKDAYS)}|(?:{_alternatives(WEEKDAY_ABBREVIATIONS)})\b\.?)"
_ORDINAL_WORDS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
                  "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth "
                  "thirtieth").split()
_ORDINAL_WORD = (rf"(?i:(?:twenty|thirty)[\s-](?:{_alternatives(_ORDINAL_WORDS[:9])})|"
                 rf"{_alternatives(_ORDINAL_WORDS)})")
# Ordinals past the tenth, in words, are days of the month in talk ("the twentieth", "Twenty-sixth, I
# think"); "the twenty-first century" is not.
_LATE_ORDINAL = (rf"(?i:(?:twenty|thirty)[\s-](?:{_alternatives(_ORDINAL_WORDS[:9])})|"
                 rf"{_alternatives(_ORDINAL_WORDS[10:])})(?![\s-]+centur)")
_DAY = rf"(?:[0-3]?\d(?:st|nd|rd|th)?|{_ORDINAL_WORD})"
_YEAR = r"(?:1[89]\d{2}|20\d{2})"
_SPOKEN_YEAR = r"(?:twenty[\s-]twenty(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?)"
_YEAR_WORDS = rf"(?:nineteen|twenty)[\s-](?:{NUMBER_WORD_PATTERN})"  # "September twenty-two"
_NAMED_DAY = (r"(?:Boxing Day|Christmas (?:Day|Eve)|New Year['’]s (?:Day|Eve)|Valentine['’]?s Day|"
              r"Bonfire Night|Mother['’]?s Day|Father['’]?s Day|Easter (?:Sunday|Monday)|Good Friday|"
              r"Halloween)").replace(" ", r"\s+")  # the date pattern is verbose: spaces must be explicit
DATE = re.compile(rf"""(?<![\w/.£$])(?:
    \d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})(?![\w/.]\d)                  # 12/03/2019, 21.11.22
  | \d{{4}}-\d{{2}}-\d{{2}}                                                     # 2024-03-12
  | (?:0[1-9]|[12]\d|3[01])/(?:0[1-9]|1[0-2])(?![/\d])                          # 03/10
  | (?:{_WEEKDAY},?\s+)?(?:the\s+)?{_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR})?  # 12 March 2024, 3rd of May
  | (?:{_WEEKDAY},?\s+)?{_MONTH}\s+(?:the\s+)?{_DAY}(?:,?\s+{_YEAR})?\b          # March 3rd, 2024
  | {_WEEKDAY},?\s+(?:the\s+)?[0-3]?\d(?:st|nd|rd|th)?\b                        # Monday 5th
  | (?:mid-|early\s+|late\s+)?{_MONTH}(?:\s+(?:{_YEAR}|{_SPOKEN_YEAR}|(?i:{_YEAR_WORDS})))?  # March 2024
  | the\s+[0-3]?\d(?:st|nd|rd|th)\b(?!\s+(?:time|one|child|kid|go|attempt|floor|person|place|week))
  | (?:(?i:the)\s+)?{_LATE_ORDINAL}                                              # the twentieth
  | {_NAMED_DAY}(?:\s+{_YEAR})?                                                  # Boxing Day
  | (?i:spring|summer|autumn|winter)\s+{_YEAR}                                    # spring 2022
  | (?i:{_SPOKEN_YEAR})                                                            # twenty-twenty-two
  | {_YEAR}(?!\s+(?:people|pounds|quid|families|children|kids|homes|houses|calls|words|miles|staff))
)(?![\w-]*\d|[.:]\d)""".replace(r"[\s-]", r"(?:[^\S\n]|-)")
   .replace(r"\s", r"[^\S\n]"), re.VERBOSE)  # a date never runs across lines


# A year said in words: after a word of time ("in twenty-two", "since nineteen ninety-eight"), or as a
# clause of its own ("Mum died, erm, twenty-two, I think"); never a count ("twenty-two pound a week").
_SPOKEN_NUMBER_YEAR = rf"(?:nineteen|twenty)[\s-](?:{NUMBER_WORD_PATTERN})"
_NOT_A_YEAR_AFTER = (r"(?![\w'’-]|\s*%|\s+(?:pounds?|quid|p|pence|grand|minutes?|mins?|hours?|days?|weeks?|"
                     r"months?|years?|times|people|kids|children|families|miles?|of|or|to|percent|per)\b)")
SPOKEN_YEARS = [
    re.compile(rf"\b(?i:in|since|from|until|till|around|before|after|back\s+in)\s+"
               rf"(?P<year>(?i:{_SPOKEN_NUMBER_YEAR})){_NOT_A_YEAR_AFTER}"),
    re.compile(r"(?<=, )(?P<year>(?i:twenty-(?:one|two|three|four|five|six|seven|eight|nine)))(?=[,.])"),
]


def _spaced_phone(match: re.Match[str], _: Lexicon) -> bool:
    """Ten or eleven digits with a UK start, not a list of small numbers ("0 1 2 3 4 5 6 7 8 9")."""
    digits = re.sub(r"\D", "", match.group())
    national = "0" + digits[2:] if digits.startswith("44") else digits
    return len(national) in (10, 11) and national[1] in "12378" and national != "0123456789"[:len(national)]


def _partial_phone(match: re.Match[str], _: Lexicon) -> bool:
    """Not a date, a time or an amount: no "£" or "%" beside it, and not inside a longer number."""
    before = match.string[max(0, match.start() - 2):match.start()]
    after = match.string[match.end():match.end() + 2]
    return "£" not in before and "%" not in after


def _reference(match: re.Match[str], _: Lexicon) -> bool:
    return not re.fullmatch(r"\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?", match.group("id"))


def _date(match: re.Match[str], _: Lexicon) -> bool:
    """A lone month must be a capitalised name, and "May" needs a neighbouring date word."""
    found = match.group()
    if found == "May":
        before = match.string[max(0, match.start() - 12):match.start()].casefold().split()
        return bool(before) and before[-1] in {"in", "since", "of", "until", "till", "by", "from",
                                               "last", "next", "early", "late", "mid", "before", "after"}
    return True


# ------------------------------------------------------------------------------------------ ages
_N = rf"(?:\d{{1,3}}|{NUMBER_WORD_PATTERN})"
_NOT_AGE_AFTER = (r"(?![\w'’-]|\s*(?:%|[:./]\d|,\d)|\s+(?:per\b|percent|pounds?|quid|p\b|pence|"
                  r"hundred|thousand|minutes?|mins?|hours?|hrs?|days?|times|o['’]clock|am\b|pm\b|of\b|or\b|to\b|miles?|"
                  r"points?|grand|doors?|kids|children|weeks?\s+(?:late|ago)|years?\b(?![\s-]old)|"
                  r"months?\s+(?:pregnant|ago|late|behind|gone)|in\s+the\b|at\s+night))")
_NOT_SUBJECT = "it|that|this|there|here|what|which|everything|nothing|something|one"
_SUBJECT = rf"(?<![\w'’])(?!(?:{_NOT_SUBJECT})\b)[A-Za-z]+"
AGE_PATTERNS = [
    re.compile(rf"\b(?i:aged?|age\s+of)\s*:?\s*(?P<age>{_N}){_NOT_AGE_AFTER}"),
    re.compile(rf"\b(?P<age>{_N}[\s-]?(?:years?|yrs?|months?|weeks?)[\s-]old)\b", re.IGNORECASE),
    re.compile(rf"\b(?P<age>{_N}[\s-]?(?:year|yr|month)[\s-]olds?)\b", re.IGNORECASE),
    re.compile(r"\b(?P<age>\d{1,2})\s?(?:yo|y/o|yrs)\b"),
    re.compile(rf"{_SUBJECT}(?:['’]s|['’]m|['’]re|(?:['’]d|['’]ll|\s+will|\s+would)\s+be|"
               rf",?\s+(?:is|was|are|were|am|turned|turns|turning))\s+(?:(?:only|just|nearly|almost|about|now|still|"
               rf"barely|over|under|coming\s+up\s+to)\s+)?(?P<age>(?!one\b){_N}(?:\s+months)?){_NOT_AGE_AFTER}",
               re.IGNORECASE),
    re.compile(rf"\b(?i:turned|turns|turning|both\s+under|under)\s+(?P<age>(?!one\b){_N}){_NOT_AGE_AFTER}"),
    re.compile(r"(?<=[A-Za-z])\s?\((?P<age>\d{1,2})\)"),
    re.compile(rf"\b(?i:in\s+(?:his|her|their|my|your|our)\s+(?:early\s+|mid[\s-]?|late\s+)?)"
               rf"(?P<age>\d0s|{_alternatives(list(DECADE_WORDS))})\b"),
]


def _age(match: re.Match[str], _: Lexicon) -> bool:
    value = match.group("age")
    digits = re.match(r"\d+", value)
    return digits is None or int(digits.group()) <= 120


# ------------------------------------------------------------------------------ places and orgs
_CAP = r"(?:[A-Z][\w'’-]*)"
_STRONG_STREET = "Road|Street|Lane|Avenue|Crescent|Terrace|Grove|Gardens|Mews|Boulevard"
_WEAK_STREET = ("Close|Way|Drive|Court|Place|Walk|Row|Rise|View|Hill|Square|Parade|Green|Park|Fold|"
                "Croft|Vale|Wharf|Yard|Approach|Brow|Chase|Gate|Side|Bank|Heights|Meadows|Hollow")
_ABBREVIATED_STREET = r"Rd|St|Ln|Ave|Dr|Ct|Pl|Cres|Gdns|Tce"
_BUILDING = rf"{_CAP}\s+(?:House|Court|Tower|Lodge|Mansions|Buildings|Block)\b"
_FLAT = rf"(?:(?:Flat|Apartment|Apt|Unit|Room)\s+\d+[A-Za-z]?,?\s+(?:{_BUILDING},?\s+)?)"
_NUMBER = r"\b\d{1,4}[A-Za-z]?,?\s+"
ADDRESS = re.compile(rf"""
    {_FLAT}?{_NUMBER}(?:{_CAP}\s+){{1,3}}(?:{_STRONG_STREET}|{_WEAK_STREET}|(?:{_ABBREVIATED_STREET})\.?)\b
  | {_FLAT}?{_NUMBER}[A-Z][a-z]+(?:way|gate|field|side|dale|lands)\b
  | (?:Flat|Apartment|Apt|Unit)\s+\d+[A-Za-z]?,?\s+{_BUILDING}
""", re.VERBOSE)
STREET = re.compile(rf"(?P<street>(?:{_CAP}\s+){{1,3}}(?:{_STRONG_STREET}))\b")
# Weaker street words ("Close", "Park", "Hill") name a street only after a preposition: "on Foxley Close".
WEAK_STREET = re.compile(
    rf"\b(?:on|in|off|along|down|up|at|from|near|round|onto|of)\s+(?P<street>(?:{_CAP}\s+){{1,2}}"
    rf"(?:{_WEAK_STREET}))\b")
ESTATE = re.compile(rf"(?P<name>(?:{_CAP}\s+){{0,2}}{_CAP})\s+[Ee]state\b")
_ORG_SUFFIX = (r"Primary(?:\s+School)?|Academy|(?:High|Secondary|Infant|Junior|Grammar|Catholic High|"
               r"Catholic Primary|C of E Primary)\s+School|High|School|College|University|Nursery|"
               r"Infants|Juniors|Medical\s+Centre|Health\s+Centre|Surgery|Practice|Hospital|Infirmary|"
               r"Children['’]s\s+(?:Centre|Hospital)|Family\s+Hub|(?:Civic|Sports|Youth|Resource|Contact|Day|"
               r"Enterprise|Business|Shopping|Arts|Family|Learning|Job)\s+Centre(?:\s+Plus)?|Jobcentre(?:\s+Plus)?|Foodbank|Food\s+Bank|Homes|Housing|"
               r"Housing\s+Association|(?:Borough|City|County|District|Town|Parish)\s+Council|Council|"
               r"Police|Church|Mosque|Temple|Gurdwara|Synagogue|Library|Leisure\s+Centre|"
               r"Community\s+Centre|Gazette|FC|Football\s+Club|Ltd|Limited|plc|Trust|Foundation")
INSTITUTION = re.compile(
    rf"(?P<org>(?:(?:St\.?|Saint)\s+{_CAP}(?:\s+{_CAP})?(?:\s+(?:{_ORG_SUFFIX}))*"
    rf"|(?:{_CAP}\s+){{1,3}}(?:{_ORG_SUFFIX})|University\s+of\s+{_CAP}(?:\s+{_CAP})?|HMP\s+{_CAP}))\b")
_SP = r"[^\S\n]+"  # spaces within a line: these three names never run across lines
# "Action for Children", "Places for People", "Centre for Family Support": a title-case "X for Y" is a name.
FOR_NAME = re.compile(rf"(?P<org>(?:{_CAP}{_SP}){{1,3}}for{_SP}(?:the{_SP})?(?:{_CAP}{_SP}){{0,2}}{_CAP})\b")
_NOT_FOR_NAME = frozenset("i thanks thank thankyou cheers looking waiting asking sorry go went head ask "
                          "apply applied time".split())
# "Women's Aid", "Parents' Voice": a capitalised possessive of people before a name.
PEOPLES = re.compile(
    rf"(?P<org>(?:Women|Children|People|Men|Parents|Carers|Families|Mothers|Fathers|Dads|Mums|Kids)"
    rf"['’]s?{_SP}(?:{_CAP}{_SP}){{0,2}}{_CAP})\b")
_NOT_NAMED_AFTER_PEOPLES = frozenset("evening night day meeting meetings group groups room rights".split())
# "the Greggs bakery", "the 2 Sisters chicken factory": a name before the kind of workplace it is.
WORKPLACE = re.compile(
    rf"\bthe{_SP}(?P<org>(?:\d+{_SP})?{_CAP}(?:{_SP}{_CAP}){{0,2}}){_SP}(?:[a-z]+{_SP})?(?:factory|bakery|"
    rf"warehouse|depot|plant|call{_SP}centre|distribution{_SP}centre|supermarket|store|shop|garage|mill|"
    rf"hotel|restaurant|caf[eé]|pub|takeaway|salon|chippy|club)\b")
# "at the Hive", "down the Junction.": a capitalised word after "the" where people go, ending the phrase,
# names a venue or a project (not "the Council", "the Department": see _GENERIC).
VENUE = re.compile(
    rf"\b(?:at|to|from|with|down|round|outside|inside|near|into|in|via|through){_SP}the{_SP}"
    rf"(?P<org>[A-Z][a-z]{{2,}})(?=[^\S\n]*[.,;:!?)\n]|{_SP}(?:and|on|in|at|for|with|every|today|yesterday|"
    rf"tomorrow|last|next|or)\b|$)")
FAMILY = re.compile(r"\bthe\s+(?P<name>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s+family\b")

# Words that make a capitalised run generic rather than a name ("the Family Hub", "Children's Centre").
_GENERIC = frozenset("""
the a an our my your his her their this that these those and of at in on to from with for by near
family children's childrens children early help community local primary secondary high junior infant
special medical health leisure youth borough city county district parish town national public general
support advice social care education learning pupil referral sixth form new old big little main
central north south east west upper lower school academy college hub centre council police job jobcentre
plus department committee board panel court government office service services team unit project
programme report review plan act bill guidance ministry parliament authority home house hall station
church mosque library hospital surgery prison army navy queen king crown state bible internet news
union group meeting conference city town village
""".split())
# Capitalised after "the" for other reasons than naming a venue: roles, topics, generic places.
_VENUE_NOT = frozenset("""
end beginning start middle past future weekend summer winter spring autumn morning evening night day
moment time way world country people public environment community area region north south east west
""".split())
# Capitalised at a sentence start, these open the sentence rather than a name ("Then Millbrook Academy").
_SENTENCE_WORDS = frozenset("""
the then so and but when if we i he she they you it there booked went got met rang called took sent
on in at up down off along from near round to by of with
""".split())


def _named(words: list[str]) -> bool:
    """At least one word names something rather than describing it ("Kirkbridge", not "Family")."""
    return any(w.casefold() not in _GENERIC for w in words)


def _institution(match: re.Match[str], _: Lexicon) -> bool:
    words = match.group("org").split()
    return words[0] in {"St", "St.", "Saint", "HMP", "University"} or _named(words[:-1])


def _street(match: re.Match[str], _: Lexicon) -> bool:
    return _named(match.group("street").split()[:-1])


def _for_name(match: re.Match[str], _: Lexicon) -> bool:
    words = match.group("org").split()
    first = words[0].casefold()
    return first not in _NOT_FOR_NAME and first not in _SENTENCE_WORDS \
        and words[-1].casefold() not in CALENDAR_WORDS


def _peoples(match: re.Match[str], _: Lexicon) -> bool:
    words = match.group("org").split()[1:]
    return _named(words) and words[-1].casefold() not in _NOT_NAMED_AFTER_PEOPLES


def _workplace(match: re.Match[str], lexicon: Lexicon) -> bool:
    words = match.group("org").split()
    if any(w.casefold() in LANGUAGES or w.casefold() in CALENDAR_WORDS for w in words):
        return False
    return words[0].isdigit() or not all(lexicon.is_ordinary_word(w) for w in words)


def _venue(match: re.Match[str], lexicon: Lexicon) -> bool:
    word = match.group("org")
    folded = word.casefold()
    return folded not in _GENERIC and folded not in LANGUAGES and folded not in CALENDAR_WORDS \
        and folded not in _VENUE_NOT and lexicon.is_ordinary_word(word) and not lexicon.is_name(word)


def _estate(match: re.Match[str], _: Lexicon) -> bool:
    return _named(match.group("name").split())


PATTERNS: tuple[Pattern, ...] = (
    Pattern("EMAIL", EMAIL, "email address"),
    Pattern("PHONE", PHONE, "UK phone number"),
    Pattern("PHONE", SPACED_PHONE, "UK phone number", check=_spaced_phone),
    Pattern("PHONE", PARTIAL_PHONE, "part of a UK phone number", check=_partial_phone),
    Pattern("POSTCODE", POSTCODE, "UK postcode"),
    Pattern("IDNUM", NHS_NUMBER, "NHS number", check=_nhs),
    Pattern("IDNUM", NI_NUMBER, "National Insurance number"),
    Pattern("IDNUM", REFERENCE, "reference number", group="id", check=_reference),
    Pattern("DATE", DATE, "date", check=_date),
    *(Pattern("DATE", regex, "year in words", group="year") for regex in SPOKEN_YEARS),
    *(Pattern("AGE", regex, "age", group="age", check=_age) for regex in AGE_PATTERNS),
    Pattern("ADDRESS", ADDRESS, "street address"),
    Pattern("PLACE", STREET, "street name", group="street", check=_street),
    Pattern("PLACE", WEAK_STREET, "street name", group="street", check=_street),
    Pattern("PLACE", ESTATE, "estate", group="name", check=_estate),
    Pattern("ORG", INSTITUTION, "named institution", group="org", check=_institution),
    Pattern("ORG", FOR_NAME, "title-case 'X for Y' name", group="org", check=_for_name),
    Pattern("ORG", PEOPLES, "organisation named for its people", group="org", check=_peoples),
    Pattern("ORG", WORKPLACE, "named workplace", group="org", check=_workplace),
    Pattern("ORG", VENUE, "named venue or project", group="org", check=_venue),
    Pattern("PERSON", FAMILY, "family surname", group="name"),
)


def find_patterns(text: str, lexicon: Lexicon) -> Iterator[Detection]:
    """Every pattern match in `text`, as detections of its identifying group."""
    for pattern in PATTERNS:
        for match in pattern.regex.finditer(text):
            if pattern.check is not None and not pattern.check(match, lexicon):
                continue
            start, end = match.span(pattern.group)
            if start < end:
                yield _trimmed(text, start, end, pattern)


def _trimmed(text: str, start: int, end: int, pattern: Pattern) -> Detection:
    """Leading words that open a sentence ("Then", "Booked") are not part of a name."""
    if pattern.label in {"ORG", "PLACE"}:
        while True:
            word = re.match(r"\S+\s+", text[start:end])
            if word is None or word.group().strip().casefold() not in _SENTENCE_WORDS:
                break
            start += word.end()
    return make(text, start, end, pattern.label, "pattern", pattern.reason)
