"""The banks the release ships: enough questions, each one checkable (its source and an
explanation), every chapter of the 纪律处分条例 and each of the six disciplines covered,
and the other texts a branch works by (廉洁自律准则, 支部工作条例, 八项规定)."""

from __future__ import annotations

import re
from collections import Counter

from core.config.banks import load_banks
from tests.conftest import PROJECT

BANKS = load_banks(PROJECT / "quizzes").banks
QUESTIONS = [question for bank in BANKS for question in bank.questions]
REGULATION = "《中国共产党纪律处分条例》"
# The 2023 text (158 articles): each chapter's first article. 第一编 总则: 一–五章;
# 第二编 分则: 六–十一章, the six disciplines; 第三编 附则.
CHAPTERS = {
    "第一章 总体要求和适用范围": 1,
    "第二章 违纪与纪律处分": 8,
    "第三章 纪律处分运用规则": 17,
    "第四章 对违法犯罪党员的纪律处分": 28,
    "第五章 其他规定": 36,
    "第六章 政治纪律": 49,
    "第七章 组织纪律": 77,
    "第八章 廉洁纪律": 94,
    "第九章 群众纪律": 122,
    "第十章 工作纪律": 130,
    "第十一章 生活纪律": 150,
    "第三编 附则": 155,
}
DISCIPLINES = ("政治纪律", "组织纪律", "廉洁纪律", "群众纪律", "工作纪律", "生活纪律")
DIGITS = dict(zip("零一二三四五六七八九", range(10), strict=True))
UNITS = {"十": 10, "百": 100}


def chinese_number(text: str) -> int:
    """一百二十二 → 122, 十七 → 17 (the article numbers of a regulation)."""
    total, digit = 0, 0
    for char in text:
        if char in DIGITS:
            digit = DIGITS[char]
        else:
            total += (digit or 1) * UNITS[char]
            digit = 0
    return total + digit


def chapter_of(article: int) -> str:
    return [name for name, first in CHAPTERS.items() if first <= article][-1]


def cited_chapters() -> Counter[str]:
    """How many questions cite an article (or name a chapter) of each chapter."""
    cited: Counter[str] = Counter()
    for question in QUESTIONS:
        for part in question.source.split("；"):
            if REGULATION not in part:
                continue
            articles = re.findall(r"第([零一二三四五六七八九十百]+)条", part)
            for article in {chapter_of(chinese_number(a)) for a in articles}:
                cited[article] += 1
            for name in CHAPTERS:
                if not articles and name.split()[0] in part:
                    cited[name] += 1
    return cited


def test_at_least_250_questions_each_with_its_source_and_an_explanation() -> None:
    assert len(QUESTIONS) >= 250
    assert [q.id for q in QUESTIONS if not q.source.strip() or not q.explanation.strip()] == []


def test_no_question_asks_what_another_asks_word_for_word() -> None:
    stems = Counter(re.sub(r"\s", "", q.text) for q in QUESTIONS)
    assert [stem for stem, count in stems.items() if count > 1] == []


def test_every_chapter_of_the_regulation_is_asked_about() -> None:
    assert chinese_number("一百二十二") == 122 and chinese_number("十七") == 17
    cited = cited_chapters()
    assert {name: cited[name] for name in CHAPTERS if cited[name] == 0} == {}


def test_each_of_the_six_disciplines_has_at_least_15_questions() -> None:
    tags = Counter(tag for q in QUESTIONS for tag in q.tags)
    assert {d: tags[d] for d in DISCIPLINES if tags[d] < 15} == {}


def test_the_texts_a_branch_works_by_are_covered() -> None:
    def citing(text: str) -> int:
        return sum(text in q.source for q in QUESTIONS)

    assert citing("《中国共产党廉洁自律准则》") >= 12
    assert citing("《中国共产党支部工作条例（试行）》") >= 30
    assert citing("八项规定") >= 25
