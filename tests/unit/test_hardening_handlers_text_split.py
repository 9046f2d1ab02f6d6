"""The splitter of long HTML messages (issue 11, finding 9)."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from leadbot.text_split import TEXT_LIMIT, split_html

TAG = re.compile(r"<(/?)([\w-]+)[^>]*>")
ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+);")


def visible(part: str) -> str:
    return html.unescape(TAG.sub("", part))


def width(part: str) -> int:
    return len(visible(part).encode("utf-16-le")) // 2


def assert_well_formed(part: str) -> None:
    """Tags balanced and properly nested; no tag or entity cut in half."""
    stack: list[str] = []
    for closing, name in TAG.findall(part):
        if closing:
            assert stack and stack.pop() == name, part
        else:
            stack.append(name)
    assert not stack, part
    text = TAG.sub("", part)
    assert "<" not in text and ">" not in text, part
    assert text.count("&") == len(ENTITY.findall(text)), part


def assert_reassembles(text: str, parts: list[str]) -> None:
    """The parts read, in order, as the original: nothing lost or repeated, except white space at a cut."""
    original, position = visible(text), 0
    for part in parts:
        found = original.find(visible(part), position)
        assert found >= 0 and not original[position:found].strip(), (part, original[position:])
        position = found + len(visible(part))
    assert not original[position:].strip()


def test_a_short_text_is_one_part_unchanged() -> None:
    text = "<b>Report</b>\n<pre>a  1</pre>"
    assert split_html(text) == [text]


def test_a_long_table_is_cut_between_rows_and_each_part_is_a_table() -> None:
    rows = [f"Manager {n:02d} &lt;{n}&gt;  {n * 7:>5}" for n in range(400)]
    text = "<b>By manager</b>\n<pre>" + "\n".join(rows) + "</pre>"
    parts = split_html(text)
    assert len(parts) > 1
    assert all(width(part) <= TEXT_LIMIT for part in parts)
    assert parts[0].startswith("<b>By manager</b>\n<pre>Manager 00")
    assert all(part.startswith("<pre>Manager ") for part in parts[1:])
    assert all(part.endswith("\n</pre>") for part in parts[:-1])
    assert_reassembles(text, parts)


def test_a_tag_open_at_a_cut_is_reopened_with_its_attributes() -> None:
    text = '<a href="https://example.com/?a=1&amp;b=2"><i>' + "word " * 10 + "</i></a>"
    parts = split_html(text, limit=22)
    assert parts[0] == '<a href="https://example.com/?a=1&amp;b=2"><i>word word word word </i></a>'
    assert all(part.startswith('<a href="https://example.com/?a=1&amp;b=2"><i>') for part in parts)
    assert_reassembles(text, parts)


def test_a_line_without_spaces_is_cut_between_characters_not_inside_an_entity() -> None:
    parts = split_html("&lt;" * 5 + "😀x", limit=6)
    assert parts == ["&lt;" * 5, "😀x"]  # the emoji counts as two, as in UTF-16


def test_no_part_begins_with_tags_opened_for_nothing() -> None:
    assert split_html("x" * 12 + "<b>y</b>", limit=12) == ["x" * 12, "<b>y</b>"]


def test_a_cut_at_the_end_of_an_element_leaves_no_empty_element_behind() -> None:
    assert split_html("<pre>aaaa\n</pre>" + "b" * 8, limit=6) == ["<pre>aaaa\n</pre>", "bbbbbb", "bb"]


def test_blank_parts_are_left_out() -> None:
    assert split_html("a" * 10 + "\n" * 30 + "b", limit=10) == ["a" * 10, "b"]


TAGS = ["b", "i", "u", "s", "code", "pre", "tg-spoiler", "blockquote"]
OPENERS = {
    **{tag: f"<{tag}>" for tag in TAGS},
    "a": '<a href="https://example.com/x?y=1&amp;z=2">',
    "span": '<span class="tg-spoiler">',
}
plain = st.text(alphabet=st.sampled_from([*"ab c", "\n", "<", ">", "&", '"', "é", "😀"]), max_size=40)


def element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(sorted(OPENERS)), st.lists(children, max_size=4)).map(
        lambda pair: OPENERS[pair[0]] + "".join(pair[1]) + f"</{pair[0]}>"
    )


documents = st.lists(st.recursive(plain.map(html.escape), element, max_leaves=12), max_size=8).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=documents, limit=st.integers(min_value=2, max_value=60))
def test_any_html_is_cut_into_well_formed_parts_within_the_limit(text: str, limit: int) -> None:
    parts = split_html(text, limit)
    if not visible(text).strip():
        assert parts == [text]
        return
    for part in parts:
        assert width(part) <= limit and visible(part).strip()
        assert_well_formed(part)
    assert_reassembles(text, parts)
