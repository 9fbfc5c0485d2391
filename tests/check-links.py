#!/usr/bin/env python3
"""Every relative link of README.md and docs/*.md resolves: the file (or
folder) exists in the tree, and an #anchor names a heading of the Markdown
file it points to, as GitHub makes anchors from headings.
    tests/check-links.py SOURCE_ROOT"""
import pathlib
import re
import sys

LINK = re.compile(r"\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def prose(text):
    """The text outside fenced code blocks and inline code."""
    kept, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            kept.append(re.sub(r"`[^`]*`", "``", line))
    return "\n".join(kept)


def anchors(path):
    """GitHub's anchors for a Markdown file's headings."""
    found, seen = set(), {}
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if fenced or not re.match(r"#{1,6} ", line):
            continue
        title = line.lstrip("#").strip()
        title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)  # a link in a heading keeps its text
        slug = re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def main():
    root = pathlib.Path(sys.argv[1]).resolve()
    files = [root / "README.md", *sorted((root / "docs").glob("*.md")), *sorted((root / "src").glob("*.md"))]
    broken, checked = [], 0
    for page in files:
        if not page.exists():
            continue
        for target in LINK.findall(prose(page.read_text(encoding="utf-8"))):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):
                continue  # https:, mailto:
            checked += 1
            path, _, anchor = target.partition("#")
            destination = (page.parent / path).resolve() if path else page
            where = f"{page.relative_to(root)}: ({target})"
            if root not in destination.parents and destination != root:
                broken.append(f"{where} leaves the repository")
            elif not destination.exists():
                broken.append(f"{where}: no such file")
            elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
                broken.append(f"{where}: no heading makes #{anchor}")
    for line in broken:
        print(line)
    print(f"{checked} relative links checked in {len([f for f in files if f.exists()])} files, {len(broken)} broken")
    return 1 if broken or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
