"""The code's layers hold: the import contracts in pyproject.toml
([tool.importlinter], docs/decisions/0090-app-apis-and-import-contracts.md)
are checked by import-linter on every test run, as in CI (`make lint`)."""

import pathlib
import shutil
import subprocess
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _lint_imports_command():
    # The lint-imports next to this interpreter (the project's .venv), else
    # whichever is on the PATH.
    beside = pathlib.Path(sys.executable).with_name("lint-imports")
    return [str(beside)] if beside.exists() else [shutil.which("lint-imports") or "lint-imports"]


def test_import_contracts_hold():
    result = subprocess.run(
        [*_lint_imports_command(), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"An import contract is broken:\n{result.stdout}\n{result.stderr}"


def test_every_lms_module_has_a_layer():
    """A new module or package directly under lms must be given its place in
    the layers contract, or nothing would hold it to one."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(contract for contract in config["contracts"] if contract["id"] == "layers")["layers"]
    placed = {name.strip() for layer in layers for name in layer.replace("|", ":").split(":")}
    children = {
        f"lms.{path.stem}" for path in (ROOT / "lms").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }
    unplaced = children - {"lms.tests", "lms.migrations"} - placed
    assert not unplaced, sorted(unplaced)
