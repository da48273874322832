"""Every relative link in README.md and docs/*.md points to a file that exists (docs move; links must follow)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# [text](target) and [text](target "title"); images too. Code spans are removed first: `[x](y)` in code is not a link.
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)


def relative_links(path: Path):
    for target in LINK.findall(CODE.sub("", path.read_text(encoding="utf-8"))):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            continue  # http:, https:, mailto: and in-page anchors are not files
        yield target


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_point_to_existing_files(doc):
    broken = [t for t in relative_links(doc) if not (doc.parent / t.split("#", 1)[0]).exists()]
    assert broken == [], f"{doc.relative_to(ROOT)} links to missing files: {broken}"


def test_the_check_sees_links():
    # the pattern must find the README's links at all, or the test above would pass on nothing
    assert "docs/conversation.md" in set(relative_links(ROOT / "README.md"))
