from core.organization.names import name_order


def test_chinese_names_sort_in_pinyin_order() -> None:
    names = ["赵磊", "张伟", "Alice", "李娜", "王芳", "陈静", "刘洋"]
    assert sorted(names, key=name_order) == [
        "Alice",
        "陈静",
        "李娜",
        "刘洋",
        "王芳",
        "张伟",
        "赵磊",
    ]


def test_names_outside_gbk_still_sort() -> None:
    assert sorted(["😀小王", "小李"], key=name_order) == ["😀小王", "小李"]
