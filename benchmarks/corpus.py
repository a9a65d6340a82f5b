"""Generate a deterministic synthetic corpus for the reader benchmark.

    python benchmarks/corpus.py --url sqlite:////tmp/bench/catalog.sqlite3 --testimonies 100000

The same seed and size always give the same rows. The schema is created (or upgraded) with the
catalog's own migrations, the rows are bulk-inserted with SQLAlchemy Core (executemany, one
transaction per batch), then `catalog reindex` rebuilds the derived data when the command exists.

Segment text is drawn from a Zipf-distributed vocabulary. A handful of benchmark terms are kept out
of that vocabulary and planted with known probabilities, so that each query class has a term of
known frequency; the exact counts are written to a JSON sidecar (benchmarks/out/corpus-terms.json)
that benchmarks/load.py reads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, event, func, select, text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from catalog.dates import EDTFDate, parse as parse_edtf  # noqa: E402
from catalog.migrate import upgrade  # noqa: E402
from catalog.models import Base  # noqa: E402

DEFAULT_SIDECAR = HERE / "out" / "corpus-terms.json"
UTC = dt.timezone.utc

# --- benchmark terms ---------------------------------------------------------------------------
# None of these occurs in the filler vocabulary (nor does any word sharing its stem), in titles,
# summaries or names: they occur only where planted in segment text, so their counts are exact.

#: Probability that an English segment carries the term (RARE is placed in a fixed number instead).
VERY_COMMON = ("remember", 0.85)
COMMON = ("interrogation", 0.105)
MEDIUM = ("blindfold", 0.0105)
RARE = ("pomegranate", 40)
#: Both words also occur alone; the phrase is planted as adjacent words.
PHRASE_WORDS = ("death", "committee")
PHRASE_P, DEATH_P, COMMITTEE_P = 0.009, 0.03, 0.02
#: "execution", planted in Persian segments only.
PERSIAN = ("اعدام", 0.2)

PLANTED = [VERY_COMMON[0], COMMON[0], MEDIUM[0], RARE[0], *PHRASE_WORDS, PERSIAN[0]]

# --- vocabularies ------------------------------------------------------------------------------

ENGLISH_HEAD = """
the and of to a in was we they he she i were had that it my us our them with for on at from by
his her their not but one all there when then no into after would could every what who this
said told took came went brought asked called night day cell door guards corridor ward names
mother father brother sister family wife husband son daughter children years months weeks
morning evening summer winter prisoners executed sentence judge court trial minutes questions
answered silence voice wall window yard visit letter tears fear hope blood hands eyes head
floor room cold hunger bread water tea doctor medicine sick bodies graves cemetery buried list
names numbers lined hall van bus truck gate officials revolutionary guard clerics prayer quran
newspaper radio news telephone hours waited waiting heard shouting footsteps slogans hanged
shot firing squad pages wrote signed refused accepted repent interview release released
freedom exile border passport lawyer charge charges accused organisation leftist support
supporters sympathiser arrested arrest detention detained solitary transferred transfer
friends neighbours student students teacher worker workers street house home city village
province country first second third last before during later since never always again
""".split()

PERSIAN_VOCAB = """
و در به از که این آن را با برای تا هم من ما او آنها بود بودند شد شدند گفت گفتند می‌گفتند
دیدم رفتم آمدند بردند آوردند کردند نمی‌دانستیم زندان بازجویی خانواده شب روز سلول نگهبان
دادگاه حکم زندانی مادر پدر برادر خواهر همسر فرزند سال ماه تابستان زمستان بند راهرو صدا نام
شماره دیوار پنجره حیاط ملاقات نامه گریه ترس امید سکوت خون دست پا سر کابل شکنجه اتاق هیئت
مرگ قاضی دادستان پاسدار نماز قرآن کتاب روزنامه خبر تلفن ساعت صبح عصر غروب آفتاب باران برف
نان آب غذا بیمار پزشک دارو جسد گور قبرستان لیست انتظار فریاد شعار دوستان همسایه دانشجو معلم
کارگر خیابان خانه شهر روستا استان کشور اول دوم سوم آخر قبل بعد هرگز همیشه دوباره چشم‌بند
اتهام وکیل آزادی تبعید مرز گذرنامه ماشین دروازه مسئولان انقلابی توبه امضا پرسیدند جواب
ایستادیم نشستیم خوابیدیم شنیدیم ترسیدیم منتظر بودیم هیچ‌کس همه چند یک دو سه چهار پنج
""".split()

SYLLABLES = "ba da ka la ma na pa ra sa ta va za be de ke le me ne re se te ve bi di ki li mi ni ri si ti vi bo do ko lo mo no ro so to vo bu du ku lu mu nu ru su tu an en in on ar er ir or".split()

FIRST_NAMES = {
    "Maryam": "مریم", "Reza": "رضا", "Mahmoud": "محمود", "Fatemeh": "فاطمه", "Zahra": "زهرا",
    "Ali": "علی", "Hossein": "حسین", "Parvaneh": "پروانه", "Shahla": "شهلا", "Mehdi": "مهدی",
    "Nasrin": "نسرین", "Akbar": "اکبر", "Jafar": "جعفر", "Hamid": "حمید", "Iraj": "ایرج",
    "Farideh": "فریده", "Monireh": "منیره", "Ashraf": "اشرف", "Mojgan": "مژگان", "Homa": "هما",
    "Laleh": "لاله", "Azar": "آذر", "Parisa": "پریسا", "Saeed": "سعید", "Majid": "مجید",
    "Behrouz": "بهروز", "Kazem": "کاظم", "Hassan": "حسن", "Ahmad": "احمد", "Mohammad": "محمد",
    "Nima": "نیما", "Babak": "بابک", "Arash": "آرش", "Shirin": "شیرین", "Roya": "رویا",
    "Mina": "مینا", "Soheila": "سهیلا", "Tahereh": "طاهره", "Masoumeh": "معصومه", "Zohreh": "زهره",
    "Golnar": "گلنار", "Firouzeh": "فیروزه", "Manouchehr": "منوچهر", "Bijan": "بیژن",
    "Kourosh": "کوروش", "Siamak": "سیامک", "Esmat": "عصمت", "Mansour": "منصور", "Nader": "نادر",
    "Parviz": "پرویز",
}
SURNAMES = {
    "Ahmadi": "احمدی", "Hosseini": "حسینی", "Mohammadi": "محمدی", "Rezaei": "رضایی",
    "Karimi": "کریمی", "Moradi": "مرادی", "Jafari": "جعفری", "Rahimi": "رحیمی", "Hashemi": "هاشمی",
    "Kazemi": "کاظمی", "Sadeghi": "صادقی", "Ebrahimi": "ابراهیمی", "Ghasemi": "قاسمی",
    "Bagheri": "باقری", "Nazari": "نظری", "Shirazi": "شیرازی", "Tabrizi": "تبریزی",
    "Esfahani": "اصفهانی", "Rostami": "رستمی", "Alavi": "علوی", "Mousavi": "موسوی",
    "Rahmani": "رحمانی", "Zamani": "زمانی", "Amini": "امینی", "Asadi": "اسدی", "Akbari": "اکبری",
    "Heidari": "حیدری", "Mahmoudi": "محمودی", "Soltani": "سلطانی", "Yazdani": "یزدانی",
    "Farahani": "فراهانی", "Najafi": "نجفی", "Taheri": "طاهری", "Salehi": "صالحی",
    "Abbasi": "عباسی", "Kamali": "کمالی", "Fazeli": "فاضلی", "Ansari": "انصاری", "Habibi": "حبیبی",
    "Ghorbani": "قربانی", "Mirzaei": "میرزایی", "Vahidi": "وحیدی", "Sharifi": "شریفی",
    "Pakzad": "پاکزاد", "Golzari": "گلزاری", "Daneshvar": "دانشور", "Javadi": "جوادی",
    "Khosravi": "خسروی", "Noori": "نوری", "Sohrabi": "سهرابی",
}
#: Spelling variants a reader may type for the same name.
VARIANT_RULES = [("ei", "ey"), ("ou", "u"), ("Gh", "Q"), ("ss", "s"), ("eh", "e"), ("ee", "i")]

IRAN_PROVINCES = {
    "Tehran": ("تهران", ["Tehran", "Karaj", "Varamin", "Shahriar"]),
    "Khorasan": ("خراسان", ["Mashhad", "Neyshabur", "Sabzevar"]),
    "Isfahan": ("اصفهان", ["Isfahan", "Kashan", "Najafabad"]),
    "Fars": ("فارس", ["Shiraz", "Marvdasht", "Kazerun"]),
    "East Azerbaijan": ("آذربایجان شرقی", ["Tabriz", "Maragheh", "Marand"]),
    "West Azerbaijan": ("آذربایجان غربی", ["Urmia", "Mahabad", "Khoy"]),
    "Khuzestan": ("خوزستان", ["Ahvaz", "Dezful", "Abadan"]),
    "Gilan": ("گیلان", ["Rasht", "Lahijan", "Anzali"]),
    "Mazandaran": ("مازندران", ["Sari", "Babol", "Amol"]),
    "Kermanshah": ("کرمانشاه", ["Kermanshah", "Eslamabad"]),
    "Kurdistan": ("کردستان", ["Sanandaj", "Saqqez", "Marivan"]),
    "Hamadan": ("همدان", ["Hamadan", "Malayer"]),
    "Kerman": ("کرمان", ["Kerman", "Rafsanjan"]),
    "Lorestan": ("لرستان", ["Khorramabad", "Borujerd"]),
    "Zanjan": ("زنجان", ["Zanjan"]),
    "Semnan": ("سمنان", ["Semnan", "Shahroud"]),
    "Qazvin": ("قزوین", ["Qazvin"]),
    "Markazi": ("مرکزی", ["Arak"]),
    "Golestan": ("گلستان", ["Gorgan", "Gonbad"]),
    "Yazd": ("یزد", ["Yazd"]),
}
NAMED_PRISONS = {
    "Tehran": [("Evin Prison", "زندان اوین", []), ("Gohardasht Prison", "زندان گوهردشت", ["Rajaei Shahr Prison", "Gowhardasht"]),
               ("Qezel Hesar Prison", "زندان قزل‌حصار", ["Ghezel Hesar"]), ("Qasr Prison", "زندان قصر", [])],
    "Karaj": [("Karaj Central Prison", None, [])],
    "Mashhad": [("Vakilabad Prison", "زندان وکیل‌آباد", ["Vakil Abad"])],
    "Shiraz": [("Adelabad Prison", "زندان عادل‌آباد", ["Adel Abad"])],
    "Tabriz": [("Tabriz Central Prison", None, [])],
    "Urmia": [("Urmia Central Prison", None, ["Orumiyeh Prison"])],
    "Ahvaz": [("Karun Prison", None, ["Sepidar"])],
    "Rasht": [("Lakan Prison", "زندان لاکان", ["Lakan"])],
    "Kermanshah": [("Dizelabad Prison", "زندان دیزل‌آباد", ["Dizel Abad"])],
    "Isfahan": [("Dastgerd Prison", None, [])],
    "Hamadan": [("Hamadan Central Prison", None, [])],
}
WARD_NAMES = ["Ward 1", "Ward 2", "Ward 3", "Ward 4", "Ward 209", "Ward 240", "Ward 325", "Ward 350",
              "Women's Ward", "Solitary Block", "Quarantine Ward", "Amuzeshgah", "Hosseinieh Hall"]
ABROAD = {
    "Iraq": [("Baghdad Governorate", ["Baghdad"]), ("Diyala Governorate", ["Ashraf City"])],
    "Turkey": [("Istanbul Province", ["Istanbul"]), ("Van Province", ["Van"])],
    "Germany": [("Berlin", ["Berlin"]), ("North Rhine-Westphalia", ["Cologne", "Dortmund"])],
    "France": [("Île-de-France", ["Paris", "Auvers-sur-Oise"])],
    "United Kingdom": [("England", ["London", "Manchester"])],
    "Sweden": [("Stockholm County", ["Stockholm"])],
    "Netherlands": [("South Holland", ["The Hague"])],
    "Switzerland": [("Geneva Canton", ["Geneva"])],
    "Canada": [("Ontario", ["Toronto"]), ("British Columbia", ["Vancouver"])],
    "United States": [("New York State", ["New York"]), ("California", ["Los Angeles"])],
}
ORG_WORDS = ["Archive", "Association", "Foundation", "Centre", "Network", "Society", "Collective", "Project"]
ORG_TOPICS = ["Witness", "Families", "Memory", "Justice", "Oral History", "Human Rights", "Documentation", "Truth"]
SOURCE_KINDS = ["article", "memoir", "report", "press", "recording", "submission", "transcript", "document", "statement"]
OCCASION_KINDS = ["interview"] * 10 + ["hearing"] * 3 + ["conference"] * 2 + ["press_interview"] * 2 + [
    "memoir_writing", "un_submission", "publication", "correspondence", "decree"]


def weighted(rng: random.Random, table: list[tuple[str, float]]) -> str:
    values, weights = zip(*table)
    return rng.choices(values, weights=weights)[0]


ACCOUNT_KINDS = [("survivor", 35), ("eyewitness", 20), ("relative", 20), ("official_insider", 5),
                 ("expert_statement", 5), ("organisational_statement", 5), ("press_report", 7), ("document", 3)]
STATES = [("published", 88), ("draft", 8), ("withdrawn", 4)]
ACCESS = [("public", 85), ("restricted", 10), ("confidential", 5)]
CONSENT = [("given", 45), ("given_anonymous", 12), ("public_record", 18), ("not_sought", 8), ("withheld", 2),
           ("withdrawn", 2), ("unknown", 13)]
CORROBORATION = [("unverified", 55), ("partially_corroborated", 20), ("corroborated", 12), ("contested", 10),
                 ("retracted", 3)]
SEGMENT_KINDS = [("first_person", 65), ("editorial", 15), ("question", 12), ("reported", 8)]
SEGMENT_ACCESS = [("public", 98), ("restricted", 1), ("confidential", 1)]


def stem_free(word: str) -> bool:
    """True when the word shares no stem with a planted term (so stemming cannot blur counts)."""
    lowered = word.lower()
    return not any(lowered.startswith(term[: max(4, len(term) - 2)]) for term in PLANTED)


def zipf_cumulative(size: int, exponent: float = 1.07) -> list[float]:
    total, cumulative = 0.0, []
    for rank in range(1, size + 1):
        total += 1.0 / rank**exponent
        cumulative.append(total)
    return cumulative


def build_english_vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    """Real words for the head of the distribution, pronounceable invented words for the tail."""
    words = list(dict.fromkeys(w for w in ENGLISH_HEAD if stem_free(w)))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen and stem_free(word):
            seen.add(word)
            words.append(word)
    return words


class TextMaker:
    """Segment text with planted benchmark terms, and the exact tally of where they landed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.english = build_english_vocabulary(rng)
        self.english_cum = zipf_cumulative(len(self.english))
        self.persian = [w for w in dict.fromkeys(PERSIAN_VOCAB) if not w.startswith(PERSIAN[0][:4])]
        self.persian_cum = zipf_cumulative(len(self.persian), 1.0)

    def filler(self, n: int) -> list[str]:
        return self.rng.choices(self.english, cum_weights=self.english_cum, k=n)

    def sentences(self, tokens: list[str], question: bool = False, persian: bool = False) -> str:
        """Tokens cut into sentences: capitals, commas and full stops, as prose has them."""
        out, i, n = [], 0, len(tokens)
        stop = ("؟" if question else ".") if persian else ("?" if question else ".")
        while i < n:
            length = self.rng.randint(6, 16)
            chunk = tokens[i : i + length]
            i += length
            if not persian:
                chunk[0] = chunk[0][:1].upper() + chunk[0][1:]
            if len(chunk) > 8 and self.rng.random() < 0.4:
                cut = self.rng.randint(3, len(chunk) - 3)
                chunk[cut] = chunk[cut] + ("،" if persian else ",")
            out.append(" ".join(chunk) + stop)
        return " ".join(out)

    def english_segment(self, kind: str, plant_rare: bool, plain: bool = False) -> tuple[str, set[str]]:
        """English text for a segment; `plain` plants nothing (framing outside the tallies)."""
        rng = self.rng
        low, high = {"first_person": (14, 70), "editorial": (10, 40), "question": (5, 20), "reported": (15, 50)}[kind]
        tokens = self.filler(rng.randint(low, high))
        if not plain:
            plants = []
            for term, p in (VERY_COMMON, COMMON, MEDIUM):
                if rng.random() < p:
                    plants.append(term)
            if rng.random() < DEATH_P:
                plants.append("death")
            if rng.random() < COMMITTEE_P:
                plants.append("committee")
            if rng.random() < PHRASE_P:
                plants.append("death committee")
            if plant_rare:
                plants.append(RARE[0])
            for plant in plants:
                tokens.insert(rng.randrange(len(tokens) + 1), plant)
        words = " ".join(tokens).split(" ")
        return self.sentences(words, question=kind == "question"), self.tally(words)

    def persian_segment(self, kind: str) -> tuple[str, set[str]]:
        rng = self.rng
        tokens = rng.choices(self.persian, cum_weights=self.persian_cum, k=rng.randint(10, 50))
        if rng.random() < PERSIAN[1]:
            tokens.insert(rng.randrange(len(tokens) + 1), PERSIAN[0])
        return self.sentences(tokens, question=kind == "question", persian=True), self.tally(tokens)

    @staticmethod
    def tally(words: list[str]) -> set[str]:
        lowered = [w.lower() for w in words]
        found = {w for w in lowered if w in PLANTED}
        if any(a == "death" and b == "committee" for a, b in zip(lowered, lowered[1:])):
            found.add("death committee")
        return found


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _plain_bounds(value: str) -> tuple[dt.date, dt.date] | None:
    """Bounds of the simple forms generated here, or None for forms left to the EDTF parser."""
    core = value.rstrip("?~%")
    if "/" in core:
        start, end = (_plain_bounds(part) for part in core.split("/"))
        return (start[0], end[1]) if start and end else None
    if core.endswith("X"):
        decade = int(core[:3]) * 10
        return dt.date(decade, 1, 1), dt.date(decade + 9, 12, 31)
    parts = [int(p) for p in core.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
    if parts[1] > 12:  # a season: the parser knows their bounds
        return None
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], 1), _month_end(parts[0], parts[1])
    day = dt.date(*parts)
    return day, day


_checked: Counter = Counter()
#: How many values of each EDTF form are checked against catalog.dates.parse.
CHECKS_PER_FORM = 20


@functools.lru_cache(maxsize=None)
def edtf(value: str):
    """catalog.dates.parse for every form, at a fraction of its cost: the EDTF grammar takes
    ~10 ms per string, so simple forms are computed here and checked against the parser on the
    first values of each form (any disagreement stops the run)."""
    bounds = _plain_bounds(value)
    form = re.sub(r"\d", "9", value)
    if bounds is None or _checked[form] < CHECKS_PER_FORM:
        _checked[form] += 1
        parsed = parse_edtf(value, "date")
        if bounds is not None and (parsed.lower, parsed.upper) != bounds:
            raise AssertionError(f"bounds of {value!r}: parser {parsed.lower}..{parsed.upper}, corpus {bounds}")
        return parsed
    return EDTFDate(text=value, lower=bounds[0], upper=bounds[1])


def random_edtf(rng: random.Random, year: int) -> str:
    """An EDTF date in one of the forms archivists write: day, month, season, uncertain, range…"""
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    form = rng.random()
    if form < 0.25:
        return f"{year}"
    if form < 0.45:
        return f"{year}-{month:02d}"
    if form < 0.65:
        return f"{year}-{month:02d}-{day:02d}"
    if form < 0.72:
        return f"{year}-{month:02d}?"
    if form < 0.78:
        return f"{year}~"
    if form < 0.84:
        return f"{year}-{rng.randint(21, 24)}"
    if form < 0.88:
        return f"{str(year)[:3]}X"
    if form < 0.94:
        end = min(month + rng.randint(1, 3), 12)
        return f"{year}-{month:02d}/{year}-{end:02d}"
    return f"{year}-{month:02d}-{day:02d}?"


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


class Corpus:
    """Builds the rows; ids are assigned here so foreign keys need no round trip."""

    def __init__(self, testimonies: int, seed: int) -> None:
        self.n = testimonies
        self.rng = random.Random(seed)
        self.text = TextMaker(self.rng)
        self.seed = seed
        self.scale = max(testimonies / 100_000, 0.02)
        self.counts: Counter = Counter()
        # per planted term: segments, visible segments, visible first-person segments, visible testimonies
        self.term_segments: Counter = Counter()
        self.term_visible: Counter = Counter()
        self.term_visible_fp: Counter = Counter()
        self.term_visible_testimonies: Counter = Counter()
        self.visible_public_ids: list[str] = []
        self.facets: dict[str, Counter] = {k: Counter() for k in (
            "account_kind", "language", "corroboration_status", "source", "place", "events_decade")}
        self.next_id: Counter = Counter()

    def new_id(self, table: str) -> int:
        self.next_id[table] += 1
        return self.next_id[table]

    def stamp(self, index: int, total: int) -> dt.datetime:
        """Creation times spread from 2019 to late 2026 in roughly increasing order."""
        start = dt.datetime(2019, 1, 1, tzinfo=UTC)
        span = (dt.datetime(2026, 10, 31, tzinfo=UTC) - start).total_seconds()
        jitter = self.rng.uniform(-0.01, 0.01)
        return start + dt.timedelta(seconds=max(0.0, min(1.0, index / total + jitter)) * span)

    # --- reference data ------------------------------------------------------------------------

    def places(self):
        rows, names = [], []
        self.place_parent: dict[int, int | None] = {}
        self.iran_cities, self.abroad_cities, self.prisons, self.wards = [], [], [], []
        self.place_key: dict[int, str] = {}

        def add(name, kind, parent, fa=None, variants=(), lat=None, lon=None):
            pid = self.new_id("places")
            key = f"{slug(name)}-{pid}"
            rows.append(dict(id=pid, key=key, name=name, kind=kind, parent_id=parent, latitude=lat, longitude=lon,
                             created_dt=dt.datetime(2019, 1, 1, tzinfo=UTC), version=1))
            self.place_parent[pid] = parent
            self.place_key[pid] = key
            if fa:
                names.append(dict(id=self.new_id("place_names"), place_id=pid, name=fa, kind="original_script",
                                  language="fa"))
            for variant in variants:
                names.append(dict(id=self.new_id("place_names"), place_id=pid, name=variant,
                                  kind="spelling_variant", language=None))
            return pid

        rng = self.rng
        iran = add("Iran", "country", None, "ایران", ["Persia"], 32.0, 53.0)
        for province, (fa, cities) in IRAN_PROVINCES.items():
            prov = add(f"{province} Province" if province in cities else province, "province", iran, fa)
            for city in cities:
                cid = add(city, "city", prov, None, [], round(rng.uniform(26, 39), 4), round(rng.uniform(45, 61), 4))
                self.iran_cities.append(cid)
                prisons = NAMED_PRISONS.get(city) or [(f"{city} Central Prison", None, [])]
                for prison, pfa, variants in prisons:
                    prid = add(prison, "prison", cid, pfa, variants)
                    self.prisons.append(prid)
                    for ward in rng.sample(WARD_NAMES, rng.randint(2, 6)):
                        self.wards.append(add(ward, "ward", prid))
        for country, regions in ABROAD.items():
            cid = add(country, "country", None)
            for region, cities in regions:
                rid = add(region, "province", cid)
                for city in cities:
                    self.abroad_cities.append(add(city, "city", rid))
        return rows, names

    def person_name(self) -> tuple[str, str, str]:
        first = self.rng.choice(list(FIRST_NAMES))
        last = self.rng.choice(list(SURNAMES))
        return f"{first} {last}", f"{FIRST_NAMES[first]} {SURNAMES[last]}", first

    def agents(self):
        rng = self.rng
        rows, names = [], []
        n_people = max(int(50_000 * self.scale), 300)
        self.people, self.protected, self.officials, self.interviewers, self.orgs = [], set(), [], [], []
        self.display: dict[int, str] = {}
        created = dt.datetime(2019, 1, 1, tzinfo=UTC)
        for i in range(n_people):
            aid = self.new_id("agents")
            name, fa, _ = self.person_name()
            protected = rng.random() < 0.03
            pseudonym = f"Witness {chr(65 + i % 26)}-{aid}" if protected else None
            rows.append(dict(id=aid, key=f"person-{aid:06d}", kind="person", preferred_name=name,
                             description_html="", is_protected=protected, public_pseudonym=pseudonym,
                             identity_access="confidential", created_dt=created, updated_dt=created, version=1))
            self.display[aid] = pseudonym or name
            if protected:
                self.protected.add(aid)
                names.append(dict(id=self.new_id("agent_names"), agent_id=aid, name=pseudonym, kind="pseudonym",
                                  language=None, note="Name used in publication to protect the witness."))
            if rng.random() < 0.35:
                names.append(dict(id=self.new_id("agent_names"), agent_id=aid, name=fa, kind="original_script",
                                  language="fa", note=""))
            if rng.random() < 0.25:
                variant = name
                for old, new in VARIANT_RULES:
                    if old in variant:
                        variant = variant.replace(old, new)
                        break
                if variant != name:
                    names.append(dict(id=self.new_id("agent_names"), agent_id=aid, name=variant,
                                      kind="spelling_variant", language=None, note=""))
            self.people.append(aid)
            if i % 120 == 0:
                self.officials.append(aid)
            elif i % 170 == 1:
                self.interviewers.append(aid)
        for i in range(max(int(200 * self.scale), 20)):
            aid = self.new_id("agents")
            topic, word = rng.choice(ORG_TOPICS), rng.choice(ORG_WORDS)
            place = rng.choice(list(IRAN_PROVINCES) + ["Iran", "Diaspora", "Europe"])
            name = f"{place} {topic} {word}"
            rows.append(dict(id=aid, key=f"org-{aid:06d}", kind="organisation", preferred_name=name,
                             description_html=f"<p>Organisation number {i + 1} of the synthetic corpus.</p>",
                             is_protected=False, public_pseudonym=None, identity_access="confidential",
                             created_dt=created, updated_dt=created, version=1))
            abbreviation = "".join(part[0] for part in name.split()) + str(i)
            names.append(dict(id=self.new_id("agent_names"), agent_id=aid, name=abbreviation, kind="abbreviation",
                              language=None, note=""))
            self.display[aid] = name
            self.orgs.append(aid)
        # A few speakers give many testimonies, most give one or two.
        self.speaker_cum = zipf_cumulative(len(self.people), 0.6)
        return rows, names

    def sources(self):
        rng = self.rng
        rows, segments = [], []
        self.source_ids, self.source_key = [], {}
        created = dt.datetime(2019, 1, 1, tzinfo=UTC)
        for i in range(max(int(600 * self.scale), 30)):
            sid = self.new_id("sources")
            kind = rng.choice(SOURCE_KINDS)
            publisher = rng.choice(self.orgs)
            year = rng.randint(1990, 2025)
            date = random_edtf(rng, year)
            bounds = edtf(date)
            title = f"{self.display[publisher]}: {kind} {i + 1}, {year}"
            key = f"source-{sid:05d}"
            rows.append(dict(id=sid, key=key, title=title, kind=kind, publisher_id=publisher, date_edtf=date,
                             date_lower=bounds.lower, date_upper=bounds.upper,
                             language=rng.choice(["en", "en", "en", "fa"]), location=f"https://example.org/{key}",
                             stance_note_html="<p>Synthetic source for load measurements.</p>",
                             citation=f"{self.display[publisher]}, {title}, {date}.",
                             access_level=weighted(rng, [("public", 95), ("restricted", 5)]),
                             created_dt=created, version=1))
            self.source_ids.append(sid)
            self.source_key[sid] = key
            for position in range(1, rng.randint(2, 5) + 1):
                words, _ = self.text.english_segment("editorial", False, plain=True)
                segments.append(self.segment_row(None, None, "editorial", words, "en", "ltr", "public",
                                                 source_id=sid, source_position=position, author=publisher))
        self.source_cum = zipf_cumulative(len(self.source_ids), 0.8)
        return rows, segments

    def occasions(self):
        rng = self.rng
        rows = []
        self.occasion_year: dict[int, int] = {}
        self.occasion_place: dict[int, int] = {}
        for i in range(max(int(25_000 * self.scale), 50)):
            oid = self.new_id("occasions")
            kind = rng.choice(OCCASION_KINDS)
            where = rng.random()
            place = rng.choice(self.iran_cities if where < 0.55 else
                               (self.prisons + self.wards) if where < 0.65 else self.abroad_cities)
            year = rng.randint(1985, 2025)
            date = random_edtf(rng, year)
            bounds = edtf(date)
            rows.append(dict(id=oid, key=f"occasion-{oid:06d}", kind=kind,
                             title=f"{kind.replace('_', ' ').capitalize()} {i + 1}", place_id=place,
                             date_edtf=date, date_lower=bounds.lower, date_upper=bounds.upper,
                             date_note="" if rng.random() < 0.8 else "Date as recalled by the interviewer.",
                             version=1))
            self.occasion_year[oid] = bounds.lower.year if bounds.lower else year
            self.occasion_place[oid] = place
        self.occasion_ids = list(self.occasion_year)
        return rows

    # --- testimonies -------------------------------------------------------------------------

    def segment_row(self, testimony_id, position, kind, words, language, direction, access, *,
                    source_id=None, source_position=None, author=None, translation=None,
                    translation_language=None, timecode=None):
        return dict(id=self.new_id("segments"), testimony_id=testimony_id, position=position, number=position,
                    source_id=source_id, source_position=source_position, source_paragraph=source_position,
                    kind=kind, text=words, language=language, direction=direction, translation=translation,
                    translation_language=translation_language,
                    timecode_start=timecode[0] if timecode else None,
                    timecode_end=timecode[1] if timecode else None, access_level=access, author_id=author)

    def testimony_batch(self, start: int, stop: int, rare_slots: set[int]):
        """Rows for testimonies start..stop-1 (0-based), every table they need."""
        rng = self.rng
        out = {k: [] for k in ("testimonies", "agent_roles", "transmission_links", "segments", "redactions",
                               "claims", "corroboration_links", "corroboration_changes")}
        for index in range(start, stop):
            tid = self.new_id("testimonies")
            public_id = f"T-{tid:06d}"
            persian = rng.random() < 0.10
            language = "fa" if persian else "en"
            occasion = rng.choice(self.occasion_ids)
            occasion_year = self.occasion_year[occasion]
            if rng.random() < 0.4 and occasion_year >= 1981:  # the prison massacres of 1981-1988
                events_year = rng.randint(1981, min(1988, occasion_year))
            else:
                events_year = rng.randint(1979, max(1979, min(occasion_year, 2022)))
            events = random_edtf(rng, events_year) if rng.random() < 0.93 else None
            bounds = edtf(events) if events else None
            state = weighted(rng, STATES)
            access = weighted(rng, ACCESS)
            deleted = rng.random() < 0.005
            visible = state == "published" and access == "public" and not deleted
            account_kind = weighted(rng, ACCOUNT_KINDS)
            corroboration = weighted(rng, CORROBORATION)
            source = rng.choices(self.source_ids, cum_weights=self.source_cum)[0]
            speaker = rng.choices(self.people, cum_weights=self.speaker_cum)[0]
            created = self.stamp(index, self.n)
            place = self.occasion_place[occasion]
            title_when = events or "date unknown"
            out["testimonies"].append(dict(
                id=tid, public_id=public_id,
                title=f"Account of {self.display[speaker]} ({account_kind.replace('_', ' ')}), {title_when}",
                occasion_id=occasion, source_id=source, language=language, account_kind=account_kind,
                events_date_edtf=events, events_date_lower=bounds.lower if bounds else None,
                events_date_upper=bounds.upper if bounds else None, publication_state=state,
                withdrawn_reason="Withdrawn at the speaker's request." if state == "withdrawn" else "",
                access_level=access, consent_status=weighted(rng, CONSENT),
                consent_note="" if rng.random() < 0.7 else "Consent recorded on the interview form.",
                corroboration_status=corroboration,
                corroboration_rationale="" if corroboration == "unverified" else
                "Compared with other accounts of the same ward and period.",
                summary_html=f"<p>{self.text.sentences(self.text.filler(rng.randint(15, 40)))}</p>",
                is_deleted=deleted, deleted_reason="Duplicate entry." if deleted else "", deleted_by_id=None,
                deleted_dt=created if deleted else None, created_dt=created, updated_dt=created,
                published_dt=created if state != "draft" else None, version=1))
            if visible:
                self.visible_public_ids.append(public_id)
                self.facets["account_kind"][account_kind] += 1
                self.facets["language"][language] += 1
                self.facets["corroboration_status"][corroboration] += 1
                self.facets["source"][self.source_key[source]] += 1
                self.facets["place"][self.place_key[place]] += 1
                if bounds and bounds.lower:
                    self.facets["events_decade"][f"{bounds.lower.year // 10 * 10}s"] += 1
            if corroboration != "unverified":
                for status in (["unverified", corroboration] if rng.random() < 0.5 else [corroboration]):
                    out["corroboration_changes"].append(dict(
                        id=self.new_id("corroboration_changes"), testimony_id=tid, status=status,
                        rationale="Initial status on entry." if status == "unverified" else
                        "Compared with other accounts of the same ward and period.",
                        changed_by_id=None, changed_by_label="corpus generator", changed_dt=created))
            # roles
            roles = [(speaker, "speaker", "", None)]
            if rng.random() < 0.5:
                roles.append((rng.choice(self.interviewers), "interviewer", "interviewer", None))
            for _ in range(rng.randint(0, 3)):
                roles.append((rng.choice(self.people), "mentioned", "", None))
            for _ in range(rng.randint(0, 2)):
                roles.append((rng.choice(self.people), "victim", "fellow prisoner", None))
            if rng.random() < 0.2:
                roles.append((rng.choice(self.officials), "alleged_perpetrator", "prison official", source))
            for position, (agent, role, relation, named_by) in enumerate(roles, 1):
                out["agent_roles"].append(dict(
                    id=self.new_id("agent_roles"), testimony_id=tid, source_id=None, agent_id=agent, role=role,
                    named_by_source_id=named_by, relation_to_events=relation, position=position))
            # transmission chain: speaker -> (interviewer or organisation) -> source
            chain = [(speaker, None, "spoke")]
            if rng.random() < 0.6:
                chain.append((rng.choice(self.orgs), None, "recorded and transcribed"))
            chain.append((None, source, "published in"))
            for position, (agent, src, note) in enumerate(chain, 1):
                out["transmission_links"].append(dict(
                    id=self.new_id("transmission_links"), testimony_id=tid, position=position, agent_id=agent,
                    source_id=src, note=note))
            # segments
            n_segments = rng.randint(3, 18) if rng.random() > 0.01 else rng.randint(40, 80)
            timed = rng.random() < 0.3
            clock = 0.0
            kinds = [weighted(rng, SEGMENT_KINDS) for _ in range(n_segments)]
            kinds[0] = "editorial" if rng.random() < 0.5 else kinds[0]
            visible_terms: set[str] = set()
            for position, kind in enumerate(kinds, 1):
                seg_access = weighted(rng, SEGMENT_ACCESS)
                rare = self.counts["segments_in_testimonies"] in rare_slots
                self.counts["segments_in_testimonies"] += 1
                translation = None
                if persian and (kind != "editorial" or rng.random() < 0.3):
                    words, found = self.text.persian_segment(kind)
                    seg_lang, direction = "fa", "rtl"
                    if rare:  # the rare term lives in English text; keep the slot for the next segment
                        rare_slots.add(self.counts["segments_in_testimonies"])
                    if rng.random() < 0.6:
                        translation = self.text.sentences(self.text.filler(rng.randint(10, 40)))
                    self.counts["persian_segments"] += 1
                else:
                    words, found = self.text.english_segment(kind, rare)
                    seg_lang, direction = "en", "ltr"
                # A redaction hides a named person inserted into the text (never a planted term).
                redaction = None
                if rng.random() < 0.02:
                    name = self.person_name()[0]
                    words = f"{words} {name}."
                    redaction = (len(words) - len(name) - 1, len(words) - 1)
                timecode = None
                if timed:
                    length = rng.uniform(5, 90)
                    timecode = (round(clock, 1), round(clock + length, 1))
                    clock += length
                author = rng.choice(self.orgs) if kind == "editorial" else None
                row = self.segment_row(tid, position, kind, words, seg_lang, direction, seg_access, author=author,
                                       translation=translation, translation_language="en" if translation else None,
                                       timecode=timecode)
                out["segments"].append(row)
                self.counts[f"segments_{kind}"] += 1
                if redaction:
                    out["redactions"].append(dict(
                        id=self.new_id("redactions"), segment_id=row["id"], start=redaction[0], end=redaction[1],
                        reason="Name of a person who has not consented.",
                        access_level=rng.choice(["restricted", "confidential"])))
                for term in found:
                    self.term_segments[term] += 1
                    if visible and seg_access == "public":
                        self.term_visible[term] += 1
                        visible_terms.add(term)
                        if kind == "first_person":
                            self.term_visible_fp[term] += 1
                # claims on some first-person segments
                if kind == "first_person" and rng.random() < 0.01:
                    cid = self.new_id("claims")
                    claim_kind = rng.choice(["count", "event", "identification", "location"])
                    low = rng.randint(5, 500) if claim_kind == "count" else None
                    period = random_edtf(rng, events_year)
                    pb = edtf(period)
                    out["claims"].append(dict(
                        id=cid, key=f"claim-{cid:06d}", segment_id=row["id"], speaker_id=speaker, kind=claim_kind,
                        statement=f"The speaker states that {low or 'several'} prisoners were taken from the ward.",
                        excerpt=words[:80], quantity_low=low, quantity_high=low * 2 if low else None,
                        scope_place_id=rng.choice(self.prisons + self.wards), scope_period_edtf=period,
                        scope_period_lower=pb.lower, scope_period_upper=pb.upper, scope_note="",
                        created_dt=created))
                    if cid > 1 and rng.random() < 0.5:
                        to_claim = rng.random() < 0.7
                        out["corroboration_links"].append(dict(
                            id=self.new_id("corroboration_links"), from_claim_id=cid,
                            to_claim_id=rng.randint(1, cid - 1) if to_claim else None,
                            to_testimony_id=None if to_claim else rng.randint(1, tid),
                            relation=weighted(rng, [("supports", 60), ("partly_supports", 25), ("contradicts", 15)]),
                            rationale="Same ward and period, told independently.", evidence="", created_dt=created))
            for term in visible_terms:
                self.term_visible_testimonies[term] += 1
        return out


# --- loading ------------------------------------------------------------------------------------

def make_engine(url: str):
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def on_connect(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # Only while loading: a lost generated corpus is simply generated again.
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA cache_size=-200000")
            cursor.close()
    return engine


def reset(url: str, engine) -> None:
    """Start from an empty database (only on request: --reset)."""
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            if path and os.path.exists(path + suffix):
                os.remove(path + suffix)
    else:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


def insert(engine, rows_by_table: dict[str, list[dict]], batch: int) -> None:
    """Each batch of rows in its own transaction, tables in foreign-key order."""
    tables = Base.metadata.tables
    for name, rows in rows_by_table.items():
        for i in range(0, len(rows), batch):
            with engine.begin() as conn:
                conn.execute(tables[name].insert(), rows[i : i + batch])


def fix_sequences(engine) -> None:
    """PostgreSQL: move every id sequence past the explicitly inserted ids."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if "id" in table.c:
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"))


def analyze(engine) -> None:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        else:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()


def catalog_command() -> list[str]:
    venv = ROOT / ".venv" / "bin" / "catalog"
    return [str(venv)] if venv.exists() else [sys.executable, "-m", "catalog.cli"]


def run_reindex(url: str) -> float | None:
    """Run `catalog reindex` when the command exists; its wall time in seconds, or None."""
    env = dict(os.environ, CATALOG_DATABASE_URL=url,
               CATALOG_INSTANCE_PATH=str(HERE / "out" / "instance"))
    help_text = subprocess.run([*catalog_command(), "--help"], env=env, capture_output=True, text=True).stdout
    if not re.search(r"^\s+reindex\b", help_text, re.MULTILINE):
        print("`catalog reindex` does not exist (yet); derived data not rebuilt.")
        return None
    print("Running `catalog reindex` ...", flush=True)
    started = time.perf_counter()
    subprocess.run([*catalog_command(), "reindex"], env=env, check=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="SQLAlchemy database URL (sqlite:///… or postgresql+psycopg://…)")
    parser.add_argument("--testimonies", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1988)
    parser.add_argument("--batch", type=int, default=2_000, help="testimonies per insert transaction")
    parser.add_argument("--sidecar", type=Path, default=DEFAULT_SIDECAR, help="where to write the term counts")
    parser.add_argument("--reset", action="store_true",
                        help="empty the database first (deletes the SQLite file / drops PostgreSQL schema public)")
    parser.add_argument("--no-reindex", action="store_true", help="do not run `catalog reindex` afterwards")
    args = parser.parse_args(argv)

    engine = make_engine(args.url)
    if engine.dialect.name == "sqlite" and engine.url.database:
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    if args.reset:
        reset(args.url, engine)
        engine.dispose()
        engine = make_engine(args.url)
    started = time.perf_counter()
    upgrade(engine)
    with engine.connect() as conn:
        existing = conn.scalar(select(func.count()).select_from(Base.metadata.tables["testimonies"]))
    if existing:
        engine.dispose()
        print(f"The database already holds {existing} testimonies: use a fresh database or --reset.", file=sys.stderr)
        return 2

    corpus = Corpus(args.testimonies, args.seed)
    place_rows, place_names = corpus.places()
    agent_rows, agent_names = corpus.agents()
    source_rows, source_segments = corpus.sources()
    occasion_rows = corpus.occasions()
    insert(engine, {"places": place_rows, "place_names": place_names, "agents": agent_rows,
                    "agent_names": agent_names, "sources": source_rows, "occasions": occasion_rows}, 5_000)
    # Testimony segments are numbered after the sources' own framing; planted-rare slots count
    # only testimony segments (0-based), spread over the whole corpus.
    expected_segments = args.testimonies * 10
    rare_slots = set(random.Random(args.seed + 1).sample(range(expected_segments), min(RARE[1], expected_segments)))
    source_segment_rows = source_segments
    for offset in range(0, args.testimonies, args.batch):
        rows = corpus.testimony_batch(offset, min(offset + args.batch, args.testimonies), rare_slots)
        if source_segment_rows:  # the sources' own framing goes in with the first batch
            rows["segments"] = source_segment_rows + rows["segments"]
            source_segment_rows = []
        ordered = {name: rows[name] for name in ("testimonies", "agent_roles", "transmission_links", "segments",
                                                 "redactions", "claims", "corroboration_links",
                                                 "corroboration_changes")}
        with engine.begin() as conn:  # one transaction per batch of testimonies
            for name, table_rows in ordered.items():
                if table_rows:
                    conn.execute(Base.metadata.tables[name].insert(), table_rows)
        done = min(offset + args.batch, args.testimonies)
        if done % (args.batch * 10) == 0 or done == args.testimonies:
            print(f"  {done:>7} testimonies, {corpus.next_id['segments']:>8} segments, "
                  f"{time.perf_counter() - started:6.1f} s", flush=True)
    fix_sequences(engine)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    analyze(engine)
    analyze_seconds = time.perf_counter() - started
    engine.dispose()

    reindex_seconds = None if args.no_reindex else run_reindex(args.url)
    size = None
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database)
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    else:
        sizer = make_engine(args.url)
        with sizer.connect() as conn:
            size = conn.scalar(text("SELECT pg_database_size(current_database())"))
        sizer.dispose()

    terms = {}
    for cls, term in (("rare", RARE[0]), ("medium", MEDIUM[0]), ("common", COMMON[0]),
                      ("very_common", VERY_COMMON[0]), ("phrase", "death committee"), ("persian", PERSIAN[0]),
                      ("death", "death"), ("committee", "committee")):
        terms[cls] = {
            "term": term,
            "query": f'"{term}"' if " " in term else term,
            "segments": corpus.term_segments[term],
            "visible_segments": corpus.term_visible[term],
            "visible_first_person_segments": corpus.term_visible_fp[term],
            "visible_testimonies": corpus.term_visible_testimonies[term],
        }
    total_segments = corpus.next_id["segments"]
    sample_rng = random.Random(args.seed + 2)
    sidecar = {
        "seed": args.seed,
        "database": engine.url.render_as_string(hide_password=True),
        "testimonies": args.testimonies,
        "segments": total_segments,
        "testimony_segments": corpus.counts["segments_in_testimonies"],
        "segments_by_kind": {k.removeprefix("segments_"): v for k, v in corpus.counts.items()
                             if k.startswith("segments_") and k != "segments_in_testimonies"},
        "persian_segments": corpus.counts["persian_segments"],
        "rows": dict(corpus.next_id),
        "visible_testimonies": len(corpus.visible_public_ids),
        "terms": terms,
        "facets_visible": {name: dict(counter.most_common(12)) for name, counter in corpus.facets.items()},
        "sample_public_ids": sample_rng.sample(corpus.visible_public_ids, min(2000, len(corpus.visible_public_ids))),
        "timings_seconds": {"generate_and_load": round(load_seconds, 1), "analyze": round(analyze_seconds, 1),
                            "reindex": round(reindex_seconds, 1) if reindex_seconds is not None else None},
        "database_bytes": size,
    }
    args.sidecar.parent.mkdir(parents=True, exist_ok=True)
    args.sidecar.write_text(json.dumps(sidecar, ensure_ascii=False, indent=2))
    print(f"Loaded {args.testimonies} testimonies and {total_segments} segments in {load_seconds:.1f} s "
          f"(analyze {analyze_seconds:.1f} s, reindex "
          f"{'n/a' if reindex_seconds is None else f'{reindex_seconds:.1f} s'}); "
          f"database {size / 1e6:.0f} MB. Terms: {args.sidecar}")
    for cls, info in terms.items():
        print(f"  {cls:<12} {info['query']:<18} {info['segments']:>8} segments, "
              f"{info['visible_testimonies']:>6} visible testimonies")
    return 0


if __name__ == "__main__":
    sys.exit(main())
