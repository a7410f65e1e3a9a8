"""Fail on any import circle between modules of the project's packages (`make test` runs it).

import-linter's contracts keep the layers pointing inward; this finds circles anywhere, even
inside one package, with grimp (the graph import-linter builds), imports inside functions
included.
"""

from __future__ import annotations

import sys

import grimp

PACKAGES = ("scorecard", "data", "handlers", "bot")


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    modules = sorted(graph.modules)
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:
        # Iterative, so a deep chain of imports cannot exhaust Python's recursion limit.
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        order[start] = low[start] = len(order)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, imported = work[-1]
            for other in imported:
                if other not in order:
                    order[other] = low[other] = len(order)
                    stack.append(other)
                    on_stack.add(other)
                    work.append((other, iter(sorted(graph.find_modules_directly_imported_by(other)))))
                    break
                if other in on_stack:
                    low[module] = min(low[module], order[other])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == order[module]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == module:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))

    for module in modules:
        if module not in order:
            visit(module)
    return found


def main() -> int:
    graph = grimp.build_graph(*PACKAGES)
    found = cycles(graph)
    for group in found:
        print("import circle: " + " <-> ".join(group))
        for module in group:
            inside = sorted(set(graph.find_modules_directly_imported_by(module)) & set(group))
            print(f"  {module} imports {', '.join(inside)}")
    if found:
        return 1
    print(f"no import circles in {', '.join(PACKAGES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
