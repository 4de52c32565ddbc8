"""Checks Telegram HTML sent by the bot with the standard library's html.parser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from adapters.telegram.render import EMITTED_TAGS

#: Links the bot may emit: Spotify, and 30-second previews on the hosts the fake music APIs hand out in these tests.
ALLOWED_LINKS = (
    "https://open.spotify.com/",
    "https://cdnt-preview.dzcdn.net/",
    "https://audio-ssl.itunes.apple.com/",
    "https://p.scdn.co/",
)


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: set[str] = set()
        self.text: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.stack.append(tag)
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if not href.startswith(ALLOWED_LINKS):
                self.problems.append(f"unexpected href {href!r}")
            if [k for k, _ in attrs] != ["href"]:
                self.problems.append(f"unexpected attributes {attrs!r}")
        elif attrs:
            self.problems.append(f"attributes on <{tag}>: {attrs!r}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unbalanced </{tag}> (open: {self.stack})")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"declaration {data!r}")

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment {data!r}")


def check_html(html_text: str) -> str:
    """Assert ``html_text`` uses only the tags the renderer emits, balanced, links only to Spotify (or a preview
    host); return its text."""
    bare = re.sub(r"</?(?:b|i|code)>|<a href=\"[^\"<>]*\">|</a>", "", html_text)
    assert "<" not in bare and ">" not in bare, ("unescaped < or >", html_text[:500])
    assert not re.search(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)", bare), ("bare &", html_text[:500])
    checker = _Checker()
    checker.feed(html_text)
    checker.close()
    assert not checker.problems, (checker.problems, html_text[:500])
    assert not checker.stack, (f"unclosed {checker.stack}", html_text[:500])
    assert checker.tags <= EMITTED_TAGS, checker.tags
    return "".join(checker.text)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
