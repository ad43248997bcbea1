"""The code's shape, read from its syntax tree: modules stay under about 400
lines, functions under about 60, and every public selector says what its
arguments are. Migrations and tests are not checked.

``STILL_TOO_LONG`` names what is over today. It can only shrink: a new
offender fails, and so does a listed name that is no longer over (take it
off the list)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("lms", "courses", "certificates", "mentors", "themes")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

# Over the limits: module paths (relative to the repository) and functions
# as "path::Qualified.name". Empty: every module and function is within them.
STILL_TOO_LONG: set[str] = set()

# Selectors whose arguments are not annotated yet, typed as their packages
# are split; as "path::name". Like STILL_TOO_LONG, this list can only shrink.
STILL_UNTYPED: set[str] = set()


def source_files():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts or "tests" in parts:
                continue
            yield path


def relative(path):
    return path.relative_to(ROOT).as_posix()


def functions(tree):
    """(qualified name, node) of every function, nested ones included."""
    stack = [("", tree)]
    while stack:
        prefix, node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    yield name, child
                stack.append((f"{name}.", child))
            else:
                stack.append((prefix, child))


def function_lines(node):
    """A function's own lines from its ``def`` (decorators not counted)."""
    return node.end_lineno - node.lineno + 1


def offenders():
    found = set()
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_MODULE_LINES:
            found.add(relative(path))
        for name, node in functions(ast.parse(text)):
            if function_lines(node) > MAX_FUNCTION_LINES:
                found.add(f"{relative(path)}::{name}")
    return found


def test_modules_and_functions_stay_short():
    over = offenders()
    new = sorted(over - STILL_TOO_LONG)
    assert not new, (
        f"over {MAX_MODULE_LINES} lines a module or {MAX_FUNCTION_LINES} a function: {new}; split them"
    )
    fixed = sorted(STILL_TOO_LONG - over)
    assert not fixed, f"no longer too long, take them off STILL_TOO_LONG: {fixed}"


def unannotated_selectors():
    missing = []
    for path in source_files():
        if path.name != "selectors.py":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name.startswith("_"):
                continue
            arguments = node.args
            every = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
            every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
            bare = [a.arg for a in every if a.annotation is None]
            if bare or node.returns is None:
                missing.append(f"{relative(path)}::{node.name}")
    return set(missing)


def test_public_selectors_say_what_they_take_and_return():
    untyped = unannotated_selectors()
    assert not sorted(untyped - STILL_UNTYPED), "annotate every argument and the return type of a public selector"
    assert not sorted(STILL_UNTYPED - untyped), "typed now, take them off STILL_UNTYPED"


def test_the_checks_see_an_offender():
    """The tree walk finds a long nested function and a bare argument."""
    body = "\n".join(f"        x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    tree = ast.parse(f"class A:\n    def long(self):\n{body}\n")
    assert [(name, function_lines(node) > MAX_FUNCTION_LINES) for name, node in functions(tree)] == [
        ("A.long", True)
    ]


def test_every_model_says_what_it_is():
    """Every concrete model of ours (guardian's permission tables and
    Wagtail's pages and settings included) has a ``__str__`` of its own or
    inherited from a base other than Django's Model: admin lists, the site
    history and the shell show what a row is, not "Model object (12)"."""
    from django.apps import apps
    from django.db import models

    bare = []
    for config in apps.get_app_configs():
        if config.name.split(".")[0] not in PACKAGES:
            continue
        for model in config.get_models():
            owner = next(klass for klass in model.__mro__ if "__str__" in vars(klass))
            if owner is models.Model:
                bare.append(model._meta.label)
    assert bare == []
