"""Tests for the plain-text page cleaner: the two seed pages and hand-made pages of the same two kinds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tidings.clean import CleanPage, clean_page

DATA = Path(__file__).parent / "data" / "clean"
SAMPLE = Path(__file__).parents[1] / "sample"
SEED_AGG = SAMPLE / "004_e98dca1c8e07cdf9.txt"
SEED_AGENCY = SAMPLE / "000_ecd03e3bfaa32d93.txt"
FIELDS = ("title", "byline", "published", "source", "section", "archive_date", "paragraphs", "captions")
PAGES = sorted(p.stem for p in DATA.glob("*.txt"))


def _expected(stem: str) -> dict[str, object]:
    raw = json.loads((DATA / f"{stem}.expected.json").read_text(encoding="utf-8"))
    return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}


def _page(stem: str) -> str:
    return (DATA / f"{stem}.txt").read_text(encoding="utf-8")


def _body(page: CleanPage) -> str:
    return "\n".join(page.paragraphs)


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("stem", PAGES)
def test_made_up_pages_field_by_field(stem: str, field: str) -> None:
    assert getattr(clean_page(_page(stem)), field) == _expected(stem)[field]


def test_there_are_pages_of_both_kinds() -> None:
    kinds = [_expected(s)["archive_date"] is None for s in PAGES]
    assert len(PAGES) >= 6 and kinds.count(True) >= 3 and kinds.count(False) >= 3


@pytest.mark.parametrize("stem", PAGES)
def test_crlf_line_endings_give_the_same_page(stem: str) -> None:
    text = _page(stem)
    assert clean_page(text.replace("\n", "\r\n")) == clean_page(text)


# The German page has no tagline: only the wide gap under its title tells the site name from the title.
@pytest.mark.parametrize("stem", [s for s in PAGES if s != "agg_de_wind"])
def test_no_blank_lines_between_paragraphs(stem: str) -> None:
    squeezed = "\n".join(line for line in _page(stem).splitlines() if line.strip())
    page, expected = clean_page(squeezed), _expected(stem)
    assert page.title == expected["title"]
    assert page.paragraphs == expected["paragraphs"]
    assert page.captions == expected["captions"]


@pytest.mark.parametrize("text", ["", "\n\n  \r\n", "\ufeff"])
def test_empty_text_gives_an_empty_page(text: str) -> None:
    assert clean_page(text) == CleanPage(None, None, None, None, None, None, (), ())


def test_page_with_no_header_starts_with_its_title() -> None:
    page = clean_page(_page("agg_fr_macron"))
    assert page.title is not None and page.title.startswith("France: Macron")


@pytest.mark.parametrize(
    ("line", "byline", "published"),
    [
        ("Huy Hoang June 17, 2021 08:33", "Huy Hoang", "2021-06-17T08:33:00"),
        ("Lê Minh Tuấn 17/06/2021 08:33", "Lê Minh Tuấn", "2021-06-17T08:33:00"),
        ("By Anna Schmidt, 3 March 2022, 9:05 PM", "Anna Schmidt", "2022-03-03T21:05:00"),
        ("Thursday, June 17, 2021", None, "2021-06-17"),
        ("08:33 17/06/2021", None, "2021-06-17T08:33:00"),
        ("Jean-Pierre Dubois | 2021-06-17 08:33", "Jean-Pierre Dubois", "2021-06-17T08:33:00"),
    ],
)
def test_byline_and_date_formats(line: str, byline: str | None, published: str) -> None:
    text = f"A headline about a summit\n\n{line}\n\nThe leaders met in Geneva on Wednesday for four hours.\n"
    page = clean_page(text)
    assert (page.title, page.byline, page.published) == ("A headline about a summit", byline, published)
    assert page.paragraphs == ("The leaders met in Geneva on Wednesday for four hours.",)


def test_a_sentence_line_under_the_title_is_not_a_byline() -> None:
    text = "Headline\n\nOfficials said on June 17, 2021 that talks would resume.\n\nMore talks follow.\n"
    page = clean_page(text)
    assert page.byline is None and page.published is None
    assert page.paragraphs[0] == "Officials said on June 17, 2021 that talks would resume."


# ---- seed 004: an aggregator copy of a Telemundo story ----

AGG_CHROME = (
    "The Limited Times",
    "Now you can see non-English news",
    "June 9, 202100: 44",
    "Joe Biden's first tour of Europe begins",
    "They asked him twice if he is a murderer",
    "June 14, 202101: 08",
    "What is the impact of the cyberattack on the Colonial Pipeline?",
    "A security expert explains",
    "May 12, 202103: 22",
    "Mikhail Metzel",
    "Russia's President Vladimir Putin is defiant",
    "Source: telemundo",
    "All news articles on",
    "Similar news",
    "You may like",
    "Trends 24h",
    "News/Politics",
    "©",
    "Privacy",
)
AGG_SENTENCES = (
    "The Russian president said the two countries differ on many issues.",
    "Putin appreciated that the meeting took place without hostilities",
    "The meeting lasted for almost 2 hours.",
    '"This does not happen with all leaders," he stressed.',
    "Once inside, and moments before starting the closed-door talks,",
    "The appointment was divided into three parts.",
    "Putin categorically denied these allegations in an exclusive interview with our sister network",
    "Only accusations. unfounded,",
    "The escalation of tension had diplomatic consequences.",
    "In the same vein, the Secretary of State made a statement days before the meeting.",
    "there are areas where cooperation is in our common interest.",
    "if Russia continues to take reckless and aggressive actions, we will respond with great force,",
    '"That\'s a different kind of person," Putin said of Biden.',
    "Russia also backed the president of Belarus, a Moscow ally,",
    "Biden has also said that he believes he can cooperate with Russia in the fight against climate change",
    "Putin arrived on the same Wednesday.",
    "With information from NBC News and The Associated Press.",
)


@pytest.fixture(scope="module")
def agg() -> CleanPage:
    return clean_page(SEED_AGG.read_text(encoding="utf-8"))


def test_seed_agg_metadata(agg: CleanPage) -> None:
    assert agg.title == 'Biden and Putin have a "constructive" meeting of several hours in Switzerland'
    assert agg.byline is None
    # the trailer's stamp (2021-10-21T21:22:48Z) is four months after the day the page is filed under:
    # the aggregator's republication, not the report, which is of 16 June
    assert agg.published == "2021-06-19"
    assert agg.source == "telemundo"
    assert agg.section == "News/Politics"
    assert agg.archive_date == "2021-06-19"


def test_seed_agg_keeps_every_body_sentence(agg: CleanPage) -> None:
    body = _body(agg)
    missing = [s for s in AGG_SENTENCES if s not in body]
    assert not missing


def test_seed_agg_keeps_every_body_line_of_the_page(agg: CleanPage) -> None:
    body = " ".join(agg.paragraphs)
    lines = [line.strip() for line in SEED_AGG.read_text(encoding="utf-8").splitlines()[5:121]]
    body_lines = [line for line in lines if line and not any(c in line for c in AGG_CHROME[2:])]
    lost = [line for line in body_lines if line.lstrip(',"” ') not in body]
    assert len(body_lines) == 48 and not lost  # 57 text lines, less 7 teaser and 2 caption lines


def test_seed_agg_has_no_chrome(agg: CleanPage) -> None:
    leaked = [c for c in AGG_CHROME for p in agg.paragraphs if c in p]
    assert not leaked
    assert agg.title not in agg.paragraphs


def test_seed_agg_joins_paragraphs_broken_around_links_and_quotes(agg: CleanPage) -> None:
    assert (
        "The Russian president also rejected the accusations that linked him to the murder of several "
        "opposition leaders in his country."
    ) in agg.paragraphs
    quote = next(p for p in agg.paragraphs if p.startswith("“This is about two things"))
    assert quote.endswith('we will respond with great force," he added.')
    hopeful = next(p for p in agg.paragraphs if p.startswith('"I am very hopeful that'))
    assert "some disadvantages, but there will be no impulsive movement" in hopeful
    assert hopeful.endswith('the sitting US president," he added.')


def test_seed_agg_keeps_the_subheading_on_its_own(agg: CleanPage) -> None:
    i = agg.paragraphs.index("Tension to the limit")
    assert agg.paragraphs[i + 1].startswith("Biden and Putin attended the meeting")


def test_seed_agg_captions(agg: CleanPage) -> None:
    assert len(agg.captions) == 2
    assert agg.captions[0].startswith("The President of the United States, Joe Biden (second from the left)")
    assert agg.captions[0].endswith("(Mikhail Metzel / Pool Photo via AP) AP")
    assert agg.captions[1] == (
        "Russia's President Vladimir Putin is defiant during an interview with NBC News, "
        "days before his meeting with Joe Biden. NBC News"
    )


# ---- seed 000: a Vietnamese agency story in English ----

AGENCY_SENTENCES = (
    "President Vladimir V. Putin described the summit with his US counterpart as constructive,",
    "The meeting was also conducted in a narrow and wide format.",
    "After a 45-minute break, the two leaders entered an expanded discussion session",
    "“That relationship must be stable and predictable.",
    "Mr. Putin said that the two countries will start consultations on cybersecurity,",
    "which was extended on February 5.",
    "issues related to cyber attacks and human rights still show deep divisions between the two countries.",
)


@pytest.fixture(scope="module")
def agency() -> CleanPage:
    return clean_page(SEED_AGENCY.read_text(encoding="utf-8"))


def test_seed_agency_metadata(agency: CleanPage) -> None:
    assert agency.title == "Putin-Biden summit 'constructive'"
    assert agency.byline == "Huy Hoang"
    assert agency.published == "2021-06-17T08:33:00"
    assert (agency.source, agency.section, agency.archive_date) == (None, None, None)


def test_seed_agency_body(agency: CleanPage) -> None:
    body = _body(agency)
    assert not [s for s in AGENCY_SENTENCES if s not in body]
    assert len(agency.paragraphs) == 9
    assert agency.paragraphs[-1].endswith("between the two countries.")
    assert "/." not in body
    assert "Huy Hoang" not in body
    assert not [p for p in agency.paragraphs if "Tổng thống" in p or p.startswith("US President Joe")]


def test_seed_agency_bilingual_caption(agency: CleanPage) -> None:
    assert agency.captions == (
        "Tổng thống Mỹ Joe Biden và người đồng cấp Nga Vladimir V. Putin.\n"
        "US President Joe Biden and his Russian counterpart Vladimir V. Putin.",
    )


# ---- shapes the seeds do not show ----


def test_byline_on_its_own_line_and_trailing_name_and_agency_tag() -> None:
    text = (
        "Floods hit central Vietnam\n\nBy Tran Van Minh\n\nOctober 12, 2020 10:05\n\n"
        "Heavy rain has caused severe flooding in five central provinces, officials said on Monday.\n\n"
        "Thousands of homes were submerged./.\n\nTran Van Minh\n\n(VNA)\n"
    )
    page = clean_page(text)
    assert (page.byline, page.published) == ("Tran Van Minh", "2020-10-12T10:05:00")
    assert page.paragraphs == (
        "Heavy rain has caused severe flooding in five central provinces, officials said on Monday.",
        "Thousands of homes were submerged.",
    )


def test_related_items_after_the_archive_line_are_never_body() -> None:
    text = (
        "Title here\n\n\nThe body sentence is long enough to count as a body paragraph here.\n\n"
        "Source: elpais\n\nAll news articles on 2022-01-01\n\nSimilar news:\n\n"
        "The government approved a new law on housing prices in the capital today.\n\n"
        "News/World 2022-01-01T00:00:00Z\n"
    )
    page = clean_page(text)
    assert page.paragraphs == ("The body sentence is long enough to count as a body paragraph here.",)
    assert (page.source, page.archive_date, page.section) == ("elpais", "2022-01-01", "News/World")
    assert page.published == "2022-01-01T00:00:00+00:00"


def test_agency_photo_credit_without_trailing_token_is_a_caption() -> None:
    caption = (
        "President Joe Biden speaks to reporters on the South Lawn, June 14, 2021. (AP Photo/Evan Vucci)"
    )
    text = f"Title here\n\n\nThe president spoke to reporters on Monday afternoon.\n\n{caption}\n\nHe left.\n"
    page = clean_page(text)
    assert page.captions == (caption,)
    assert page.paragraphs == ("The president spoke to reporters on Monday afternoon.", "He left.")


def test_bilingual_caption_split_by_a_blank_line() -> None:
    text = (
        "Hanoi opens new metro line\n\nMinh Anh 06/11/2021 09:00\n\n"
        "The Cat Linh - Ha Dong metro line began commercial operation on Saturday after years of delays.\n\n"
        "Tàu điện Cát Linh - Hà Đông chạy thử nghiệm.\n\nThe Cat Linh - Ha Dong train during a test run.\n\n"
        "Tens of thousands of passengers used the line on its first day, according to the operator.\n"
    )
    page = clean_page(text)
    assert page.captions == (
        "Tàu điện Cát Linh - Hà Đông chạy thử nghiệm.\nThe Cat Linh - Ha Dong train during a test run.",
    )
    assert len(page.paragraphs) == 2


def test_long_line_without_final_punctuation_continues() -> None:
    text = (
        "Title\n\n\nHe served for twenty years in the regular army before joining the U.S. Army\n\n"
        "Reserve as an instructor.\n\nShort heading here\n\nA new paragraph starts here.\n"
    )
    assert clean_page(text).paragraphs == (
        "He served for twenty years in the regular army before joining the U.S. Army Reserve as an "
        "instructor.",
        "Short heading here",
        "A new paragraph starts here.",
    )


@pytest.mark.parametrize(
    ("stamp", "archive", "published"),
    [
        ("2022-07-12T18:04:11.120+02:00", "2022-07-12", "2022-07-12T18:04:11.120+02:00"),  # the same day
        ("2022-07-12T23:30:00-05:00", "2022-07-13", "2022-07-12T23:30:00-05:00"),  # a time zone apart
        ("2022-10-21T21:22:48.263Z", "2022-07-12", "2022-07-12"),  # republished months later
        (None, "2022-07-12", "2022-07-12"),  # filed under a day, with no stamp
    ],
)
def test_a_trailer_stamp_far_from_the_archive_day_is_a_republication(
    stamp: str | None, archive: str, published: str
) -> None:
    trailer = [f"News/World {stamp}"] if stamp else []
    page = "\n\n".join(
        [
            "Ministers agree on a new budget for the coming year after long talks",
            "The finance ministers of the bloc agreed on Tuesday on a new budget for the coming year.",
            "Source: example",
            f"All news articles on {archive}",
            "Trends 24h",
            *trailer,
        ]
    )
    assert clean_page(page).published == published
