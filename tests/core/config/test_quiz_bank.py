"""quizzes/*.yaml question banks: the shipped bank validates, every mistake is named."""

from pathlib import Path

import pytest

from core.config.banks import Question, QuestionType, load_banks, parse_bank
from core.config.yaml_loader import ConfigErrors, parse_yaml_text
from tests.conftest import PROJECT

BAD = Path(__file__).parents[2] / "fixtures" / "bad_banks"

GOOD_BANK = """\
id: {bank_id}
title: 测试题库
questions:
  - id: q-1
    type: single
    text: {text}
    options: [三种, 四种, 五种, 六种]
    answer: C
    explanation: 条例第八条。
    source: 《中国共产党纪律处分条例》第八条
    tags: [纪律处分]
  - id: q-2
    type: multiple
    text: 下列属于党的纪律处分的有：
    options: [警告, 罚款, 留党察看, 降级]
    answer: [A, C]
    explanation: 条例第八条。
    source: 《中国共产党纪律处分条例》第八条
    tags: [纪律处分, 多选]
  - id: q-3
    type: judge
    text: 党员受到警告处分，一年内不得在党内提拔职务。
    answer: 对
    explanation: 条例第十条。
    source: 《中国共产党纪律处分条例》第十条
"""


def bank_text(bank_id: str = "test-bank", text: str = "处分种类共有几种？") -> str:
    return GOOD_BANK.format(bank_id=bank_id, text=text)


def problems_of(fixture: str) -> list[str]:
    raw = (BAD / fixture).read_bytes()
    name = f"quizzes/{fixture}"
    with pytest.raises(ConfigErrors) as caught:
        parse_bank(parse_yaml_text(raw, name), name)
    return [str(p) for p in caught.value.problems]


def test_shipped_discipline_bank_is_valid() -> None:
    banks = load_banks(PROJECT / "quizzes")
    assert banks.problems == ()
    bank = banks.bank("discipline-basics")
    assert bank is not None
    assert bank.file == "quizzes/discipline.yaml"
    assert len(bank.questions) >= 80
    assert all(q.source and q.explanation for q in bank.questions)
    assert {q.type for q in bank.questions} == set(QuestionType)
    stems = [q.text for b in banks.banks for q in b.questions]
    assert len(set(stems)) == len(stems)  # no two questions a member cannot tell apart


def test_parsed_questions_carry_indices_and_labels() -> None:
    bank = parse_bank(parse_yaml_text(bank_text().encode(), "quizzes/t.yaml"), "quizzes/t.yaml")
    single, multiple, judge = bank.questions
    assert single.answer == frozenset({2}) and single.key == ("test-bank", "q-1")
    assert multiple.letters(multiple.answer) == "A、C"
    assert multiple.is_correct(frozenset({0, 2}))
    assert not multiple.is_correct(frozenset({0}))
    assert judge.options == ("对", "错") and judge.letters(judge.answer) == "对"
    assert judge.indices(["错"]) == frozenset({1})
    assert bank.question("q-2") is multiple and bank.question("nope") is None
    assert multiple.tags == frozenset({"纪律处分", "多选"})


def test_duplicate_question_id() -> None:
    assert problems_of("duplicate_question_id.yaml") == [
        "quizzes/duplicate_question_id.yaml 第 3 题（dq-001，第 18 行）id："
        "题目 id 'dq-001' 重复（第 5 行已使用）"
    ]


def test_answer_not_among_options() -> None:
    assert problems_of("answer_not_in_options.yaml") == [
        "quizzes/answer_not_in_options.yaml 第 1 题（dq-001，第 9 行）answer：'E' 不在选项 A–D 中"
    ]


def test_judge_question_with_options() -> None:
    assert problems_of("judge_with_options.yaml") == [
        "quizzes/judge_with_options.yaml 第 1 题（dq-001，第 8 行）options："
        "判断题不写 options，选项固定为 对 / 错，请删除此字段"
    ]


def test_judge_answer_read_as_boolean() -> None:
    assert problems_of("judge_boolean_answer.yaml") == [
        "quizzes/judge_boolean_answer.yaml 第 1 题（dq-001，第 8 行）answer："
        "判断题的答案只能写 对 或 错，实际是 布尔值 True（YAML 把 yes/no/true/false 读成布尔值）"
    ]


def test_single_question_with_two_answers() -> None:
    assert problems_of("single_two_answers.yaml") == [
        "quizzes/single_two_answers.yaml 第 1 题（dq-001，第 9 行）answer："
        "单选题只能有 1 个答案，实际写了 2 个（A、C）；多个答案请用 type: multiple"
    ]


def test_multiple_question_with_one_answer() -> None:
    assert problems_of("multiple_one_answer.yaml") == [
        "quizzes/multiple_one_answer.yaml 第 1 题（dq-001，第 9 行）answer："
        "多选题至少要有 2 个答案，实际只有 1 个；只有一个答案请用 type: single"
    ]


def test_empty_text() -> None:
    assert problems_of("empty_text.yaml") == [
        "quizzes/empty_text.yaml 第 1 题（dq-001，第 7 行）text：不能为空"
    ]


def test_a_misspelt_key_is_reported_once() -> None:
    # Not also "explanation: 缺少必填字段": it is the same mistake.
    assert problems_of("unknown_key.yaml") == [
        "quizzes/unknown_key.yaml 第 1 题（dq-001，第 9 行）：字段名 explaination 应为 explanation"
    ]


def test_questions_are_counted_from_one_with_their_id_and_line() -> None:
    assert problems_of("misspelt_text.yaml") == [
        "quizzes/misspelt_text.yaml 第 2 题（td-002，第 12 行）：字段名 txet 应为 text"
    ]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (
            "    option: [三种, 四种]\n    answer: A\n",
            "第 1 题（q-1，第 7 行）：字段名 option 应为 options",
        ),
        (
            "    options: [三种, 四种]\n    answr: A\n",
            "第 1 题（q-1，第 8 行）：字段名 answr 应为 answer",
        ),
    ],
)
def test_misspelt_options_or_answer_are_not_also_missing(written: str, expected: str) -> None:
    text = (
        "id: t\ntitle: 题库\nquestions:\n  - id: q-1\n    type: single\n    text: 几种？\n"
        + written
        + "    explanation: 条例。\n    source: 条例\n"
    )
    with pytest.raises(ConfigErrors) as caught:
        parse_bank(parse_yaml_text(text.encode(), "quizzes/t.yaml"), "quizzes/t.yaml")
    assert [str(p) for p in caught.value.problems] == [f"quizzes/t.yaml {expected}"]


def test_a_question_without_an_id_is_placed_by_number_and_line() -> None:
    text = bank_text().replace("  - id: q-2\n", "  - \n")
    with pytest.raises(ConfigErrors) as caught:
        parse_bank(parse_yaml_text(text.encode(), "quizzes/t.yaml"), "quizzes/t.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "quizzes/t.yaml 第 2 题（第 13 行）id：缺少必填字段"
    ]


def test_bad_type_lists_the_allowed_ones() -> None:
    assert problems_of("bad_type.yaml") == [
        "quizzes/bad_type.yaml 第 1 题（dq-001，第 6 行）type："
        "未知的题型 'choice'，只能是 single（单选）、multiple（多选）或 judge（判断）"
    ]


def test_several_mistakes_are_all_reported() -> None:
    assert problems_of("several_mistakes.yaml") == [
        "quizzes/several_mistakes.yaml:2: id: 题库 id 'Discipline Basics' "
        "只能用小写字母、数字、- 和 _，以字母或数字开头，最长 64 个字符",
        "quizzes/several_mistakes.yaml 第 1 题（dq-001，第 8 行）options 第 3 项："
        "选项 '五种' 重复（与选项 B 相同）",
        "quizzes/several_mistakes.yaml 第 2 题（dq-002，第 12 行）text：缺少必填字段",
        "quizzes/several_mistakes.yaml 第 3 题（dq-003，第 20 行）options："
        "应有 2 到 6 个选项（A–F），实际 7 个",
    ]


def test_every_fixture_is_refused_and_says_why() -> None:
    for fixture in sorted(BAD.glob("*.yaml")):
        assert fixture.read_text(encoding="utf-8").startswith("# Broken"), fixture.name
        assert problems_of(fixture.name), fixture.name


def test_empty_file_is_refused() -> None:
    with pytest.raises(ConfigErrors) as caught:
        parse_bank(None, "quizzes/empty.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "quizzes/empty.yaml:1: 文件为空，至少需要声明 id、title 和 questions"
    ]


def test_good_bank_loads_beside_a_bad_one(tmp_path: Path) -> None:
    (tmp_path / "a_good.yaml").write_text(bank_text(), encoding="utf-8")
    (tmp_path / "b_bad.yaml").write_bytes((BAD / "bad_type.yaml").read_bytes())
    banks = load_banks(tmp_path)
    assert [b.id for b in banks.banks] == ["test-bank"]
    assert [str(p) for p in banks.problems] == [
        "quizzes/b_bad.yaml 第 1 题（dq-001，第 6 行）type："
        "未知的题型 'choice'，只能是 single（单选）、multiple（多选）或 judge（判断）"
    ]


def test_duplicate_bank_id_is_a_problem_of_the_later_file(tmp_path: Path) -> None:
    (tmp_path / "first.yaml").write_text(bank_text(), encoding="utf-8")
    (tmp_path / "second.yaml").write_text(bank_text(), encoding="utf-8")
    banks = load_banks(tmp_path, "题库")
    assert [b.file for b in banks.banks] == ["题库/first.yaml"]
    assert [str(p) for p in banks.problems] == [
        "题库/second.yaml:1: id: 题库 id 'test-bank' 已在 题库/first.yaml 中使用"
    ]


def test_yml_files_are_flagged_not_silently_skipped(tmp_path: Path) -> None:
    (tmp_path / "extra.yml").write_text(bank_text(), encoding="utf-8")
    banks = load_banks(tmp_path)
    assert banks.banks == ()
    assert [str(p) for p in banks.problems] == [
        "quizzes/extra.yml:0: 题库文件的扩展名应为 .yaml，此文件未加载"
    ]


def test_selectors_pick_a_bank_or_a_tag(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text(bank_text("one"), encoding="utf-8")
    (tmp_path / "two.yaml").write_text(bank_text("two"), encoding="utf-8")
    banks = load_banks(tmp_path)
    assert len(banks.questions_for(None)) == 6
    assert [q.key for q in banks.questions_for("two")] == [("two", f"q-{i}") for i in (1, 2, 3)]
    assert {q.key for q in banks.questions_for("多选")} == {("one", "q-2"), ("two", "q-2")}
    assert banks.questions_for("没有这个") == []
    assert banks.tags() == {"纪律处分", "多选"}
    assert banks.question(("one", "q-3")) is not None


def test_long_texts_are_valid_but_not_native_polls(tmp_path: Path) -> None:
    long_text = "党员" * 200  # 400 characters: over the 300 a quiz poll allows
    (tmp_path / "long.yaml").write_text(bank_text(text=long_text), encoding="utf-8")
    banks = load_banks(tmp_path)
    assert banks.problems == ()
    long_question, short_question, _ = banks.banks[0].questions
    assert long_question.text == long_text
    assert not long_question.fits_native_poll
    assert short_question.fits_native_poll


def poll_question(**changes: object) -> Question:
    fields: dict[str, object] = {
        "bank_id": "b",
        "id": "q",
        "type": QuestionType.SINGLE,
        "text": "题",
        "options": ("甲", "乙"),
        "answer": frozenset({0}),
        "explanation": "解",
        "source": "源",
    }
    fields.update(changes)
    return Question(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "fits"),
    [
        ({"text": "字" * 300}, True),
        ({"text": "字" * 301}, False),
        ({"options": ("甲", "乙" * 101)}, False),
        ({"explanation": "解" * 201}, False),
        ({"explanation": "一\n二\n三\n四"}, False),
    ],
)
def test_native_poll_limits(changes: dict[str, object], fits: bool) -> None:
    assert poll_question(**changes).fits_native_poll is fits


SHUFFLE_BANK = """\
id: shuffle
title: 打乱选项
{bank_shuffle}questions:
  - {{id: plain, type: single, text: 题一, options: [警告, 严重警告], answer: A,
     explanation: 条例第八条。, source: 条例}}
  - {{id: above, type: multiple, text: 题二, options: [警告, 严重警告, 以上都对], answer: [A, C],
     explanation: 条例第八条。, source: 条例}}
  - {{id: letters, type: single, text: 题三, options: [A和B, 警告, 严重警告], answer: A,
     explanation: 条例第八条。, source: 条例}}
  - {{id: says-c, type: single, text: 题四, options: [警告, 严重警告, 开除党籍], answer: A,
     explanation: 故 C 错。, source: 条例}}
  - {{id: all-of, type: single, text: 题五, options: [警告, 严重警告, 均不正确], answer: A,
     explanation: 条例第八条。, source: 条例}}
  - {{id: forced, type: single, text: 题六, options: [警告, 以上都不对], answer: A,
     explanation: 条例第八条。, source: 条例, shuffle: true}}
  - {{id: kept, type: single, text: 题七, options: [警告, 严重警告], answer: A,
     explanation: 条例第八条。, source: 条例, shuffle: false}}
  - {{id: judged, type: judge, text: 题八, answer: 对, explanation: 条例第八条。, source: 条例,
     shuffle: true}}
"""


def shuffled(bank_shuffle: str = "") -> dict[str, bool]:
    text = SHUFFLE_BANK.format(bank_shuffle=bank_shuffle)
    bank = parse_bank(parse_yaml_text(text.encode(), "quizzes/s.yaml"), "quizzes/s.yaml")
    return {question.id: question.shuffle for question in bank.questions}


def test_options_are_shuffled_unless_they_refer_to_each_other() -> None:
    assert shuffled() == {
        "plain": True,
        "above": False,  # 以上都对 names the options above it
        "letters": False,  # A和B names options by letter
        "says-c": False,  # the explanation names option C
        "all-of": False,  # 均不正确 speaks of all the others
        "forced": True,  # the question says so, over the automatic rule
        "kept": False,
        "judged": False,  # 对 / 错 always in that order
    }


def test_a_bank_can_keep_its_options_in_order() -> None:
    assert {key for key, value in shuffled("shuffle: false\n").items() if value} == {"forced"}
    assert shuffled("shuffle: true\n") == shuffled()
