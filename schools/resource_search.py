"""Finding a school's resource by words in any of their Russian forms.

«химия» must find «Мастер-класс по химии», «лаборатория» «с цифровой лабораторией»,
«робототехника» «занятия робототехнической направленности». One function,
``search_resources``, decides by the database it runs on:

- **PostgreSQL**: full-text search with the ``russian`` configuration (Snowball stems: «химия»
  and «химии» are both «хим»), ranked with ``ts_rank`` — the title weighs most (A), then the
  keywords (B: kind, subjects, the teacher and what they can do), then the description (C).
  Snowball does not join a noun to its adjective («робототехник» / «робототехническ»), so each
  word also matches, as a prefix, the crude stem below («робототехни:*»). Either finds the word.
- **SQLite** (the embedded development database, which has no full-text search for Russian):
  the crude stem, case-insensitively contained in the title, the keywords or the description.

The crude stem cuts a common inflectional ending, then an adjectival suffix («-ическ», «-еск»),
then a final «к», «г» or «х», which alternate with «ч», «ж», «ш» before such suffixes
(«техника» / «технический»). It over-matches now and then («хим» is in «химчистка»); a search
for resources of one municipality rather finds one more than misses one.

**The index.** The vector is computed in the query (``search_vector``), and a GIN index on that
very expression (``resource_search``, created by a PostgreSQL-only operation in the migration
``0008_resource_search_index``, nothing on SQLite) finds the matching rows without reading the
table. Rather that than a stored ``tsvector`` column: nothing to keep in step with the row
(no trigger, no second write in every service), no column SQLite cannot have, and the rank is
computed for the matching rows only, which for a municipality's few hundred resources (a
region's tens of thousands) costs less than the storage of a second copy of every text.
The query's expression and the index's must stay the same expression, or PostgreSQL stops using
the index: ``tests/test_resources.py`` asks the planner on PostgreSQL.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import F

from .search import MAX_QUERY, text_search

CONFIG = "russian"
# The fields the search reads, with their weight in the rank.
WEIGHTS = (("title", "A"), ("keywords", "B"), ("description", "C"))
INDEX_NAME = "resource_search"
# Words are Cyrillic and Latin letters and digits; anything else separates them (and so can
# never reach the tsquery syntax of a prefix, where «&», «|», «!», «:», «*», «'» mean something).
WORD = re.compile(r"[0-9a-zа-яё]+")
MAX_WORDS = 8
# Prepositions, conjunctions and pronouns of three letters or more, which PostgreSQL's
# ``russian`` configuration drops too; shorter words are dropped altogether.
STOP_WORDS = frozenset(
    ["для", "при", "над", "под", "без", "или", "как", "что", "это", "все", "его", "она", "они"]
    + ["так", "уже", "еще", "ещё"]
)
MIN_WORD = 3
MIN_STEM = 3

# Inflectional endings of nouns, adjectives and participles, longest first.
ENDINGS = sorted(
    ["иями", "ями", "ами", "ией", "ием", "иях", "иям", "ого", "его", "ому", "ему", "ыми", "ими"]
    + ["ых", "их", "ая", "яя", "ое", "ее", "ые", "ие", "ый", "ий", "ой", "ей", "ую", "юю", "ом"]
    + ["ем", "ам", "ям", "ах", "ях", "ов", "ев", "ью", "ия", "ья", "ье", "ии"]
    + ["а", "я", "о", "е", "ы", "и", "у", "ю", "ь", "й"],
    key=len,
    reverse=True,
)
SUFFIXES = ("ическ", "еск", "ск")
ALTERNATING = "кгх"


def crude_stem(word: str) -> str:
    """The word without its ending: «химия» → «хим», «лабораторией» → «лаборатор»,
    «робототехника» → «робототехни», «робототехнической» → «робототехн»."""
    word = word.lower().replace("ё", "е")
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            word = word[: -len(ending)]
            break
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            word = word[: -len(suffix)]
            break
    if word[-1:] in ALTERNATING and len(word) > MIN_STEM + 1:
        word = word[:-1]
    return word


def search_words(query: str) -> list[str]:
    """The words of ``query`` that the search looks for: one of each stem, at most
    ``MAX_WORDS``."""
    words = WORD.findall((query or "")[:MAX_QUERY].lower())
    chosen, stems = [], set()
    for word in words:
        if len(word) < MIN_WORD or word in STOP_WORDS or crude_stem(word) in stems:
            continue
        chosen.append(word)
        stems.add(crude_stem(word))
    return chosen[:MAX_WORDS]


def search_vector():
    """The weighted ``russian`` vector of a resource — the same expression as the GIN index's
    (migration ``0008_resource_search_index``)."""
    vectors = [SearchVector(name, weight=weight, config=CONFIG) for name, weight in WEIGHTS]
    vector = vectors[0]
    for other in vectors[1:]:
        vector = vector + other
    return vector


def search_query(words: list[str]):
    """Every word, each as its Snowball stem or as a prefix of its crude stem."""
    query = None
    for word in words:
        term = SearchQuery(word, config=CONFIG, search_type="plain") | SearchQuery(
            f"{crude_stem(word)}:*", config="simple", search_type="raw"
        )
        query = term if query is None else query & term
    return query


def search_resources(queryset, query: str):
    """``queryset`` narrowed to the resources matching every word of ``query``; on PostgreSQL
    ranked (best first, annotated ``rank``). An empty query narrows nothing."""
    words = search_words(query)
    if not words:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        tsquery = search_query(words)
        return (
            queryset.annotate(search=search_vector())
            .filter(search=tsquery)
            .annotate(rank=SearchRank(F("search"), tsquery))
            .order_by("-rank", "title", "pk")
        )
    stems = [crude_stem(word) for word in words]
    return text_search(queryset, " ".join(stems), [name for name, _weight in WEIGHTS])
