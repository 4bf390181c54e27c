"""The core (parse, segment, classify, metadata, assemble) opens no files and imports no framework."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "thresher"
CORE = ["parse", "segment", "classify", "metadata", "assemble", "dedup", "stories", "corpus", "model.py", "options.py", "extract.py"]
EDGE_IMPORTS = {"argparse", "pyspark", "fastapi", "starlette", "uvicorn", "urllib.request", "http", "socket",
                "subprocess", "multiprocessing", "sqlite3", "thresher.cli", "thresher.write", "thresher.engines"}


def _core_files():
    for entry in CORE:
        path = SRC / entry
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


def test_core_modules_exist():
    assert len(list(_core_files())) >= 10


def test_core_opens_no_files_and_imports_no_edge():
    offenders = []
    for path in _core_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
                offenders.append(f"{path.name}: open()")
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if any(name == e or name.startswith(e + ".") for e in EDGE_IMPORTS):
                    offenders.append(f"{path.relative_to(SRC)}: import {name}")
            if isinstance(node, ast.Attribute) and node.attr == "environ":
                offenders.append(f"{path.relative_to(SRC)}: os.environ")
    assert offenders == []
