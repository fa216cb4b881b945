"""Closed word lists the detectors share: words that look like identifiers but are not, and the words
that make a neighbouring word one (titles, calendar names, number words)."""

from __future__ import annotations

import re

# People named by their role are not identified by it: these never become PERSON on their own.
ROLE_WORDS = frozenset("""
keyworker key worker social worker worker workers mum mums mam mom mummy mother dad dads daddy father
nan nana nanna nanny gran granny grandma grandad grandpa grandmother grandfather aunt auntie aunty
uncle sister brother son daughter baby babies teacher teachers head headteacher police officer
officers pc pcso school council social nurse doctor gp midwife manager partner husband wife
boyfriend girlfriend fella missus ex carer carers interviewer participant respondent speaker lad
lads lass kid kids child children youngest eldest twins parent parents family young person people
receptionist sergeant inspector detective constable solicitor lawyer judge magistrate neighbour
neighbours friend mate cousin stepdad stepmum foster coordinator lead
kw sw tm dsl ho hv eh ew fsw yp ta senco dc ds di sgt
""".split())

# Written before a surname, they are part of the name ("Mrs Tierney", "PC Whitfield").
TITLES = frozenset("""
Mr Mrs Ms Miss Mx Dr Prof Professor Rev Reverend Fr Father Sister Nurse PC PCSO DC DS DI DCI Sgt
Sergeant Inspector Detective Constable Officer Cllr Councillor Sir Dame Lady Lord Judge Mister
Coach Pastor Imam Rabbi
""".split())
TITLES_FOLDED = frozenset(t.casefold() for t in TITLES)

# Role abbreviations of case notes ("KW Okafor", "SW Ben Asante"): the name after them is a PERSON,
# the abbreviation stays.
ROLE_ABBREVIATIONS = frozenset("KW SW TM DSL HO HV EH EHW FSW IDVA YOT SENCo SENCO TA CM".split())

# Words that are in name lists but, in talk, are interjections or sentence openers ("Erm", "Back at...").
NOT_NAMES = frozenset("""
erm um umm er uh uhm hmm mm mmm ah oh ooh yeah yep nah aye ok okay alright hiya cheers sorry bless god
gosh jesus christ lord back can said well so just like even only still all ever long soon then now here
there yes no
""".split())

# Written before a nickname, they belong to it ("Big Dave", "Little Kev").
NICKNAME_PREFIXES = frozenset({"Big", "Little", "Young", "Old"})

MONTHS = ("January February March April May June July August September October November "
          "December").split()
MONTH_ABBREVIATIONS = "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
WEEKDAY_ABBREVIATIONS = "Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun".split()
HOLIDAYS = ("Christmas Easter Ramadan Eid Diwali Hanukkah Halloween Bonfire New Year Valentine "
            "Boxing Whitsun").split()

# Capitalised words that are calendar names, never people ("April", "June", "Sunday" are in name lists).
CALENDAR_WORDS = frozenset(w.casefold() for w in (*MONTHS, *MONTH_ABBREVIATIONS, *WEEKDAYS,
                                                   *WEEKDAY_ABBREVIATIONS, *HOLIDAYS))

# Generic public services and everyday terms: never an identifier, whatever NER thinks of them.
GENERIC_TERMS = frozenset(t.casefold() for t in """
Early Help|Children's Services|Childrens Services|Social Services|Social Care|Children's Social Care|
Adult Social Care|Family Hub|the Family Hub|Hub|Universal Credit|UC|Discretionary Housing Payment|DHP|
Household Support Fund|Pupil Referral Unit|the Pupil Referral|PRU|Youth Offending Team|YOT|
Job Centre|Jobcentre|A&E|NHS|CAMHS|GP|MASH|PIP|ESA|JSA|DWP|EHCP|SEN|SENCo|SENCO|DSL|KW|SW|TM|HO|HV|EH|
CP|CIN|DA|DV|DNA|EDT|NOSP|PLO|ASB|GDPR|the council|council|the police|police|the school|school|
the social|Teams|Microsoft Teams|Zoom|WhatsApp|Facebook|Snapchat|Instagram|TikTok|YouTube|Xbox|
PlayStation|Lego|Google|Christmas|Easter|Interviewer|Interview|Participant|Respondent|Speaker|
Keyworker|Key worker|Social worker|Parent|Young person|Partner|Frontline|Workshop|Services|Service|
Centre|Center|National Insurance|NI|B&B|Postcode|Covid|COVID|Ofsted|Brexit|Children's Centre|
Childrens Centre|Learning Centre|the Learning Centre
""".replace("\n", "").split("|"))

# Languages and the nationalities named after them: never a person or a place ("an interpreter for
# Punjabi"), whatever NER or the gazetteer make of a word no English word list knows.
LANGUAGES = frozenset("""
punjabi panjabi urdu bengali bangla sylheti gujarati hindi tamil telugu malayalam marathi nepali sinhala
sinhalese pashto dari farsi persian kurdish sorani kurmanji badini arabic somali tigrinya amharic oromo
swahili yoruba igbo hausa twi akan fante shona ndebele lingala luganda polish romanian bulgarian
lithuanian latvian estonian slovak czech hungarian albanian ukrainian russian portuguese spanish
italian french german dutch turkish greek mandarin cantonese hakka vietnamese tagalog filipino thai
malay indonesian welsh gaelic irish cornish scots romani roma creole patois bsl makaton eritrean
ethiopian sudanese afghan iranian iraqi syrian kurd yemeni nigerian ghanaian zimbabwean congolese
pakistani bangladeshi indian sikh hindu muslim
""".split())

# Well-known organisations a family or a worker names in passing (national charities and helplines,
# housing associations, supermarkets and high-street employers): organisations wherever they are used
# as names. Everyday words among them ("Mind", "Shelter", "Boots") count only when used as a name.
ORGANISATIONS = tuple(t.strip() for t in """
Shelter|Mind|Refuge|Relate|Barnardo's|Barnardos|NSPCC|Childline|ChildLine|Samaritans|Women's Aid|
Womens Aid|Citizens Advice|Citizens Advice Bureau|CAB|Home-Start|Homestart|Action for Children|
The Children's Society|Children's Society|Save the Children|Gingerbread|Family Lives|YoungMinds|
Young Minds|Kooth|Papyrus|Turn2us|StepChange|Trussell Trust|Salvation Army|Red Cross|
British Red Cross|Oxfam|Age UK|Mencap|Carers Trust|Coram|Catch22|Nacro|Victim Support|Rape Crisis|
SafeLives|Galop|Stonewall|Mermaids|Macmillan|Marie Curie|Cruse|Winston's Wish|Place2Be|
Prince's Trust|King's Trust|YMCA|YWCA|Sure Start|Surestart|National Autistic Society|Headway|Rethink|
Anxiety UK|Addaction|Turning Point|Change Grow Live|Alcoholics Anonymous|Narcotics Anonymous|Al-Anon|
Places for People|Clarion|Peabody|Sanctuary Housing|Home Group|Guinness Partnership|Tesco|Asda|Aldi|
Lidl|Morrisons|Sainsbury's|Sainsburys|Co-op|Iceland|Waitrose|Marks and Spencer|M&S|Boots|Superdrug|
Greggs|Primark|B&M|Poundland|Home Bargains|Wilko|Argos|Currys|JD Sports|Sports Direct|McDonald's|
McDonalds|KFC|Burger King|Costa|Starbucks|Nando's|Amazon|Royal Mail|DPD|Evri|Hermes|Deliveroo|
Just Eat|Wetherspoons|Premier Inn|Travelodge|Matalan|TK Maxx|Specsavers|Pets at Home|Halfords|
Screwfix|B&Q|Wickes|Ikea|IKEA
""".replace("\n", "").split("|"))

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
          "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
NUMBER_WORDS: dict[str, int] = {word: n for n, word in enumerate(_UNITS)}
for _i, _ten in enumerate(_TENS):
    NUMBER_WORDS[_ten] = 20 + 10 * _i
    for _n in range(1, 10):
        NUMBER_WORDS[f"{_ten}-{_UNITS[_n]}"] = NUMBER_WORDS[f"{_ten} {_UNITS[_n]}"] = 20 + 10 * _i + _n
DECADE_WORDS = {f"{t[:-1]}ies": 20 + 10 * i for i, t in enumerate(_TENS)}  # "twenties" .. "nineties"

# Longest first, so that "twenty-one" is preferred over "twenty".
NUMBER_WORD_PATTERN = "|".join(sorted((re.escape(w).replace(r"\-", r"[\s-]") for w in NUMBER_WORDS
                                       if " " not in w), key=len, reverse=True))


def parse_number(text: str) -> int | None:
    """The whole number written in digits or in words at the start of `text`, if any."""
    text = text.strip().casefold()
    digits = re.match(r"\d+", text)
    if digits:
        return int(digits.group())
    word = re.match(NUMBER_WORD_PATTERN, text)
    return NUMBER_WORDS.get(re.sub(r"[\s-]+", "-", word.group())) if word else None
