"""The captured examples in the docs are copies of ``docs/snippets/*``, held equal here.

A page shows each example inline, so that it reads the same on the repository host as
on the documentation site (an include line shows as itself there), marked by the file
it copies::

    <!-- snippet: docs/snippets/hardening_report.txt -->
    ```text
    ...the file's content...
    ```

The tests that capture an example write its file (``DRF_HARDENING_UPDATE_SNIPPETS=1``);
this test holds every marked block equal to its file, and with the same variable set
rewrites the blocks from the files instead: run it after the capturing tests.
``python -m tests.test_docs_snippets docs/page.md`` turns a page's ``--8<--`` include
lines into marked blocks.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services import child_env

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "docs" / "snippets"
UPDATE = os.environ.get("DRF_HARDENING_UPDATE_SNIPPETS") == "1"

MARKED = re.compile(
    r"^(?P<indent>[ ]*)<!-- snippet: (?P<path>[^ ]+) -->\n"
    r"(?P=indent)(?P<fence>`{3,})(?P<lang>[^\n`]*)\n"
    r"(?P<body>.*?)\n?"
    r"^(?P=indent)(?P=fence)[ ]*$",
    re.MULTILINE | re.DOTALL,
)
INCLUDE_BLOCK = re.compile(
    r"^(?P<indent>[ ]*)(?P<fence>`{3,})(?P<lang>[^\n`]*)\n"
    r"(?P=indent)--8<-- \"(?P<path>[^\"]+)\"\n"
    r"(?P=indent)(?P=fence)[ ]*$",
    re.MULTILINE,
)
INCLUDE_LINE = re.compile(r"^[ ]*--8<--", re.MULTILINE)


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def source_text(path: str) -> str:
    """A snippet file's content as a block shows it (no final line break)."""
    return (ROOT / path).read_text(encoding="utf-8").rstrip("\n")


def render(indent: str, lang: str, path: str) -> str:
    """The marked block for ``path``: comment, fence, the file's lines, fence."""
    text = source_text(path)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = "\n".join(f"{indent}{line}" if line else "" for line in text.split("\n"))
    return f"{indent}<!-- snippet: {path} -->\n{indent}{fence}{lang}\n{body}\n{indent}{fence}"


def block_text(match: re.Match[str]) -> str:
    indent = match["indent"]
    lines = match["body"].split("\n")
    return "\n".join(line[len(indent) :] if line.startswith(indent) else line for line in lines)


def inline_includes(text: str) -> str:
    """``text`` with every fenced ``--8<--`` include replaced by a marked copy."""
    return INCLUDE_BLOCK.sub(lambda m: render(m["indent"], m["lang"], m["path"]), text)


def refresh_blocks(text: str) -> str:
    """``text`` with every marked block rewritten from its file."""
    return MARKED.sub(lambda m: render(m["indent"], m["lang"], m["path"]), text)


def marked_blocks() -> list[tuple[str, re.Match[str]]]:
    return [(name(page), m) for page in pages() for m in MARKED.finditer(page.read_text("utf-8"))]


@pytest.mark.parametrize(
    ("page", "block"),
    marked_blocks(),
    ids=[f"{page}:{block['path']}" for page, block in marked_blocks()],
)
def test_marked_block_equals_its_file(page: str, block: re.Match[str]) -> None:
    check_block(ROOT / page, block, update=UPDATE)


def check_block(page: Path, block: re.Match[str], *, update: bool) -> None:
    """Assert that ``block`` of ``page`` equals its file; with ``update``, rewrite the page's
    blocks from their files instead."""
    if update:
        page.write_text(refresh_blocks(page.read_text("utf-8")), encoding="utf-8")
        return
    assert (ROOT / block["path"]).is_file(), f"{page} copies {block['path']}, which is missing"
    assert block_text(block) == source_text(block["path"]), (
        f"{page}: the block marked {block['path']} differs from the file; check the change, "
        "then rerun with DRF_HARDENING_UPDATE_SNIPPETS=1"
    )


@pytest.mark.parametrize("page", pages(), ids=name)
def test_page_has_no_include_lines(page: Path) -> None:
    text = page.read_text("utf-8")
    lines = [line for line in text.splitlines() if INCLUDE_LINE.match(line)]
    assert not lines, (
        f"{name(page)} shows {lines[0]!r} as it is on the repository host: "
        f"run python -m tests.test_docs_snippets {name(page)}"
    )


def test_every_snippet_file_is_shown_on_a_page() -> None:
    shown = {block["path"] for _page, block in marked_blocks()}
    files = {path.relative_to(ROOT).as_posix() for path in SNIPPETS.iterdir()}
    assert files - shown == set(), "snippet files no page shows"


def test_converter_inlines_includes_and_the_check_accepts_the_result() -> None:
    path = "docs/snippets/hardening_report.txt"
    page = f'Intro\n\n```text\n--8<-- "{path}"\n```\n\n1. In a list:\n\n   ```text\n   --8<-- "{path}"\n   ```\n'  # noqa: E501
    converted = inline_includes(page)
    assert not INCLUDE_LINE.search(converted)
    blocks = list(MARKED.finditer(converted))
    assert [block["indent"] for block in blocks] == ["", "   "]
    assert all(block_text(block) == source_text(path) for block in blocks)
    assert refresh_blocks(converted) == converted


def test_check_notices_an_edited_block() -> None:
    path = "docs/snippets/hardening_report.txt"
    edited = render("", "text", path).replace("drf-hardening profile", "edited", 1)
    [block] = MARKED.finditer(edited)
    assert block_text(block) != source_text(path)


def test_update_rewrites_a_stale_block_that_the_check_refuses(tmp_path: Path) -> None:
    path = "docs/snippets/hardening_report.txt"
    page = tmp_path / "page.md"
    page.write_text("Intro\n\n" + render("", "text", path).replace("production", "stale", 1))
    [stale] = MARKED.finditer(page.read_text("utf-8"))
    with pytest.raises(AssertionError, match="differs from the file"):
        check_block(page, stale, update=False)

    check_block(page, stale, update=True)

    [fresh] = MARKED.finditer(page.read_text("utf-8"))
    check_block(page, fresh, update=False)
    assert page.read_text("utf-8").startswith("Intro\n\n<!-- snippet: ")


def test_command_inlines_a_pages_includes(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text('```text\n--8<-- "docs/snippets/hardening_report.txt"\n```\n')
    done = subprocess.run(
        [sys.executable, "-m", "tests.test_docs_snippets", str(page)],
        cwd=ROOT,
        env=child_env({"PYTHONPATH": str(ROOT)}),
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "")
    [block] = MARKED.finditer(page.read_text("utf-8"))
    assert block_text(block) == source_text("docs/snippets/hardening_report.txt")


def test_command_refuses_an_include_outside_a_block(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.md"
    page.write_text('Text.\n--8<-- "docs/snippets/hardening_report.txt"\n')
    assert main([str(page)]) == 1
    assert "include lines outside a fenced block, left as they are" in capsys.readouterr().out


def main(argv: list[str]) -> int:
    """Inline the includes of each page of ``argv`` (relative to the repository, or absolute)."""
    for page in argv:
        path = ROOT / page
        path.write_text(inline_includes(path.read_text("utf-8")), encoding="utf-8")
        left = [line for line in path.read_text("utf-8").splitlines() if INCLUDE_LINE.match(line)]
        if left:
            print(f"{page}: include lines outside a fenced block, left as they are: {left}")
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
