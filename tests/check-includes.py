#!/usr/bin/env python3
"""The shape of vigil's include graph, as src/README.md (the map) states it.

A .hpp and its .cpp are one piece. Fails when the pieces' includes form a
cycle, when the graph stands more than 8 floors high (a piece that includes
nothing is floor 1; main.cpp is the top), or when a piece of the map's "Pure
decisions" layer includes one of its "What vigil says" layer (the logger,
the report).
Usage: check-includes.py SOURCE_ROOT
"""
import os
import re
import sys

MOST_FLOORS = 8


def pieces_and_includes(src):
    includes = {}
    for name in sorted(os.listdir(src)):
        match = re.fullmatch(r"(\w+)\.(cpp|hpp|hpp\.in)", name)
        if not match:
            continue
        piece = match.group(1)
        found = includes.setdefault(piece, set())
        with open(os.path.join(src, name), encoding="utf-8") as text:
            for line in text:
                included = re.match(r'#include "(\w+)\.hpp"', line)
                if included and included.group(1) != piece:
                    found.add(included.group(1))
    return includes


def layers(map_text):
    """The pieces of each '## ' section of the map, from its tables' first column."""
    found, layer = {}, None
    for line in map_text.splitlines():
        if line.startswith("## "):
            layer = line[3:].strip()
            found[layer] = set()
        elif layer and line.startswith("| `"):
            found[layer].add(re.match(r"\| `(\w+)\.", line).group(1))
    return found


def main():
    root = sys.argv[1]
    src = os.path.join(root, "src")
    includes = pieces_and_includes(src)
    problems = []
    for piece, named in includes.items():
        problems += [f"{piece} includes {other}.hpp, which src/ does not have" for other in named - includes.keys()]
    if problems:
        print("\n".join(problems))
        return 1

    floors, visiting, chain_of = {}, set(), {}

    def floor(piece, path):
        if piece in visiting:
            raise RuntimeError("include cycle: " + " > ".join(path + [piece]))
        if piece not in floors:
            visiting.add(piece)
            below = [(floor(other, path + [piece]), other) for other in includes[piece]]
            visiting.discard(piece)
            highest = max(below, default=(0, None))
            floors[piece] = highest[0] + 1
            chain_of[piece] = [piece] + (chain_of[highest[1]] if highest[1] else [])
        return floors[piece]

    try:
        for piece in includes:
            floor(piece, [])
    except RuntimeError as cycle:
        print(cycle)
        return 1
    top = max(includes, key=lambda piece: floors[piece])
    print(f"{floors[top]} floors: " + " > ".join(chain_of[top]))
    if floors[top] > MOST_FLOORS:
        problems.append(f"the include graph stands {floors[top]} floors high, more than {MOST_FLOORS}")

    with open(os.path.join(src, "README.md"), encoding="utf-8") as text:
        sections = layers(text.read())
    pure = next((pieces for name, pieces in sections.items() if name.startswith("Pure")), None)
    says = sections.get("What vigil says")
    if not pure or not says:
        problems.append("src/README.md has no 'Pure decisions' or no 'What vigil says' layer")
    else:
        for piece in sorted(pure):
            for other in sorted(includes.get(piece, ())):
                if other in says:
                    problems.append(f"{piece} (pure) includes {other}.hpp")
    if problems:
        print("\n".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
