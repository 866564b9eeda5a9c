"""The aws-cdk-lib modules mypy follows: those the code trees import, and all they import in turn.

Usage: python -m scripts.mypy_follow

aws-cdk-lib's `aws_cdk/__init__.py` imports every one of its ~680 modules for type checkers only
(`if typing.TYPE_CHECKING: from . import alexa_ask ...`), so a plain `mypy` analyzes them all:
about 70 s on a fresh clone. pyproject.toml has mypy follow this list, the import closure of what
the code trees use, and refuse an import of any other aws_cdk module. With the list current,
every type the code can reach is checked in full: tests/test_mypy_follow.py holds pyproject.toml
to what this prints (it also finds a module read as an attribute, `cdk.aws_glue`, which mypy
alone would take as Any); rerun it when aws-cdk-lib or the imports change.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = "aws_cdk"
# aws-cdk-lib's interface modules (IFunctionRef, ...), the bases of its L2 interfaces: one pattern,
# since `aws_cdk.interfaces` itself imports every one of them (they are all in the closure).
INTERFACES = "aws_cdk.interfaces"
PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def _module_file(search_paths: Iterable[Path], module: str) -> Path | None:
    """The source file of `module` in one of the `search_paths` (site-packages), or None."""
    relative = Path(*module.split("."))
    for base in search_paths:
        for candidate in (base / relative / "__init__.py", (base / relative).with_suffix(".py")):
            if candidate.is_file():
                return candidate
    return None


def _statements(nodes: Iterable[ast.AST]) -> Iterator[ast.AST]:
    """`nodes` and the statements of every block nested in them; expressions are not walked."""
    for node in nodes:
        yield node
        for block in ("body", "orelse", "finalbody", "handlers", "cases"):
            yield from _statements(getattr(node, block, []))


def _imported(tree: ast.Module, package: str | None = None, *, root: bool = False) -> Iterator[str]:
    """Every module (or module attribute) that `tree`'s import statements name; relative imports
    resolved in `package`, or left out without one. For the `root` module, its `from . import X`
    list of every module (for type checkers only) is left out."""
    for node in _statements(tree.body):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if not node.level:
                source = node.module or ""
            elif package is None or (root and node.module is None):
                continue
            else:
                parts = package.split(".")[: package.count(".") + 2 - node.level]
                source = ".".join([*parts, node.module] if node.module else parts)
            yield source
            yield from (f"{source}.{alias.name}" for alias in node.names)


def _cdk_modules(names: Iterable[str], search_paths: list[Path]) -> set[str]:
    """Of `names`, the aws_cdk modules that exist as source files."""
    return {
        name
        for name in names
        if (name == ROOT or name.startswith(f"{ROOT}."))
        and _module_file(search_paths, name) is not None
    }


def _attribute_reads(tree: ast.Module) -> Iterator[str]:
    """Submodules read as attributes of the root: `cdk.aws_sqs` after `import aws_cdk as cdk`."""
    aliases = {
        alias.asname or ROOT  # `import aws_cdk.aws_s3` binds `aws_cdk` too
        for node in _statements(tree.body)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name == ROOT or (alias.asname is None and alias.name.startswith(f"{ROOT}."))
    }
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            yield f"{ROOT}.{node.attr}"


def project_imports(code_files: Iterable[Path], search_paths: list[Path]) -> set[str]:
    """The aws_cdk modules the given source files import or read as attributes of `aws_cdk`."""
    found: set[str] = set()
    for path in code_files:
        tree = ast.parse(path.read_text(), str(path))
        names = [*_imported(tree), *_attribute_reads(tree)]
        found |= _cdk_modules(names, search_paths)
    return found


def closure(start: Iterable[str], search_paths: list[Path]) -> set[str]:
    """`start`, the root and every aws_cdk module they import, transitively (the root's list of
    all modules aside)."""
    seen: set[str] = set()
    todo = [ROOT, *start]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        path = _module_file(search_paths, module)
        assert path is not None, module
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        tree = ast.parse(path.read_text(), str(path))
        imported = _imported(tree, package, root=module == ROOT)
        todo.extend(_cdk_modules(imported, search_paths) - seen)
    return seen


def code_files(pyproject: Path = PYPROJECT) -> list[Path]:
    """The Python files of the trees pyproject.toml's mypy checks, its excludes left out."""
    config = tomllib.loads(pyproject.read_text())["tool"]["mypy"]
    base = pyproject.parent
    files: list[Path] = []
    for entry in config["files"]:
        path = base / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    excluded = [re.compile(pattern) for pattern in config.get("exclude", [])]
    return [f for f in files if not any(e.search(f.relative_to(base).as_posix()) for e in excluded)]


def followed_modules(pyproject: Path = PYPROJECT) -> list[str]:
    """The mypy override's module list: the closure, with the interface modules as one pattern."""
    spec = importlib.util.find_spec(ROOT)
    assert spec is not None and spec.submodule_search_locations is not None
    search_paths = [Path(p).parent for p in spec.submodule_search_locations]
    reached = closure(project_imports(code_files(pyproject), search_paths), search_paths)
    listed = {m for m in reached if not m.startswith(f"{INTERFACES}.")}
    return sorted(listed | {INTERFACES, f"{INTERFACES}.*"})


def configured_modules(pyproject: Path = PYPROJECT) -> list[str]:
    """The aws_cdk modules pyproject.toml has mypy follow."""
    overrides = tomllib.loads(pyproject.read_text())["tool"]["mypy"]["overrides"]
    return sorted(
        module
        for override in overrides
        if override.get("follow_imports") == "normal"
        for module in override["module"]
        if module == ROOT or module.startswith(f"{ROOT}.")
    )


def main() -> None:
    """Print the override's module list, as pyproject.toml holds it."""
    print("module = [")
    for module in followed_modules():
        print(f'    "{module}",')
    print("]")


if __name__ == "__main__":
    main()
