"""The outlet registry: bundled data, lookups by name, domain and URL, and user files."""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from tidings.errors import ConfigError
from tidings.models import Source
from tidings.outlets import Outlets, name_key

DATA = Path(__file__).parent / "data" / "outlets"


@pytest.fixture(scope="module")
def outlets() -> Outlets:
    return Outlets.load()


def _bundled() -> list[dict[str, object]]:
    text = resources.files("tidings").joinpath("data/outlets.json").read_text(encoding="utf-8")
    entries = json.loads(text)
    assert isinstance(entries, list)
    return entries


def test_bundled_registry_spans_many_countries_and_languages(outlets: Outlets) -> None:
    sources = list(outlets)
    assert len(sources) >= 150
    assert len({s.country for s in sources}) >= 40
    assert len({s.language for s in sources}) >= 20
    assert all(s.language and len(s.language) == 2 for s in sources)
    assert all(s.country and len(s.country) == 2 and s.country.isupper() for s in sources)


def test_bundled_names_aliases_and_domains_are_unambiguous() -> None:
    names: Counter[str] = Counter()
    domains: Counter[str] = Counter()
    for entry in _bundled():
        names.update({name_key(str(n)) for n in [entry["name"], *entry.get("aliases", [])]})  # type: ignore[list-item]
        for domain in entry.get("domains", []):  # type: ignore[attr-defined]
            domains[domain] += 1
    assert [k for k, n in names.items() if n > 1] == []
    assert [k for k, n in domains.items() if n > 1] == []


@pytest.mark.parametrize(
    ("query", "name", "language"),
    [
        ("telemundo", "Telemundo", "es"),
        ("TELEMUNDO", "Telemundo", "es"),
        ("Noticias Telemundo", "Telemundo", "es"),
        ("el pais", "El País", "es"),
        ("www.elpais.com", "El País", "es"),
        ("https://elpais.com/internacional/2021-06-16/x.html", "El País", "es"),
        ("https://english.elpais.com/usa/x", "El País", "en"),
        ("tuoi tre", "Tuổi Trẻ", "vi"),
        ("Thanh Niên", "Thanh Niên", "vi"),
        ("nhan dan", "Nhân Dân", "vi"),
        ("https://e.vnexpress.net/news/x", "VnExpress", "en"),
        ("The New York Times", "The New York Times", "en"),
        ("nyt", "The New York Times", "en"),
        ("edition.cnn.com", "CNN", "en"),
        ("https://www.bbc.com/mundo/noticias-57500000", "BBC Mundo", "es"),
        ("https://www.bbc.co.uk/news/world", "BBC", "en"),
        ("dpa", "Deutsche Presse-Agentur", "de"),
        ("SÜDDEUTSCHE ZEITUNG", "Süddeutsche Zeitung", "de"),
        ("新华社", "Xinhua", "zh"),
        ("Коммерсантъ", "Kommersant", "ru"),
        ("aljazeera.net", "Al Jazeera", "ar"),
        ("https://www.aljazeera.com/news/x", "Al Jazeera English", "en"),
        ("asahi.com:443", "Asahi Shimbun", "ja"),
    ],
)
def test_lookup(outlets: Outlets, query: str, name: str, language: str) -> None:
    source = outlets.lookup(query)
    assert source is not None
    assert (source.name, source.language) == (name, language)


@pytest.mark.parametrize(
    "query", ["notcnn.com", "cnn.com.evil.example", "Unknown Gazette", "", "localhost", "com"]
)
def test_lookup_misses(outlets: Outlets, query: str) -> None:
    assert outlets.lookup(query) is None


def test_add_registers_name_and_domains() -> None:
    outlets = Outlets()
    outlets.add(Source("Đà Nẵng Online", ("baodanang.example",), "VN", "vi"), aliases=["DNO"])
    assert outlets.lookup("da nang online") == outlets.lookup("https://news.baodanang.example/a")
    assert outlets.lookup("dno") is not None
    assert len(outlets) == 1


def test_user_file_extends_and_overrides() -> None:
    outlets = Outlets.load(str(DATA / "user_outlets.json"))
    assert len(outlets) == len(_bundled()) + 2
    bao = outlets.lookup("bao moi hang ngay")
    assert bao is not None and bao.language == "vi"
    assert outlets.lookup("telemundohouston.example") == Source(
        "Telemundo Houston", ("telemundohouston.example",), "US", "es"
    )
    spanish = outlets.lookup("https://cnnespanol.cnn.com/2021/06/16/x")
    assert spanish is not None and (spanish.name, spanish.language) == ("CNN", "es")
    assert outlets.lookup("telemundo") is not None  # the bundled entries stay


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("bad_country.json", "bad_country.json: outlet #2: 'country' must be an ISO 3166-1"),
        ("not_json.json", "not_json.json: not JSON at line 1"),
        ("missing.json", "cannot read outlet file"),
    ],
)
def test_bad_user_file_is_a_config_error(file: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Outlets.load(str(DATA / file))
