"""Fail when any two of the project's modules import each other, directly or through a chain.

import-linter's acyclic_siblings contract (pyproject.toml) looks at the children of one package at a time, so it
misses a cycle that crosses the top-level packages (bot <-> actions) or runs between a package's __init__ and its
own modules. This checks the whole module graph instead: every cycle, each import in it with the chain back.

    python scripts/check_import_cycles.py      # exit 1 and the cycles, or one line when there are none
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

import grimp

ROOT_PACKAGES = ("bot", "actions", "components", "rasa_plugins")


def strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """The groups of modules that all reach each other (Tarjan's algorithm, iterative), two or more modules each."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = lowlink[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, imported = work[-1]
            for nxt in imported:
                if nxt not in index:
                    index[nxt] = lowlink[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.find_modules_directly_imported_by(nxt)))))
                    break
                if nxt in on_stack:
                    lowlink[module] = min(lowlink[module], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    lowlink[parent] = min(lowlink[parent], lowlink[module])
                if lowlink[module] == index[module]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == module:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return sorted(groups)


def find_cycles(graph: grimp.ImportGraph) -> list[str]:
    """One line per import that closes a cycle: 'a imports b, and b leads back to a via b -> ... -> a'."""
    lines = []
    for group in strongly_connected(graph):
        members = set(group)
        for importer in group:
            for imported in sorted(graph.find_modules_directly_imported_by(importer) & members):
                back = graph.find_shortest_chain(importer=imported, imported=importer) or (imported, importer)
                lines.append(f"{importer} imports {imported}, which leads back: {' -> '.join(back)}")
    return lines


def main(packages: Iterable[str] = ROOT_PACKAGES) -> int:
    graph = grimp.build_graph(*packages, cache_dir=None)
    cycles = find_cycles(graph)
    if cycles:
        print(f"Import cycles ({len(cycles)} imports close one):", *cycles, sep="\n  ", file=sys.stderr)
        return 1
    print(f"No import cycles among {len(graph.modules)} modules ({', '.join(packages)}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
