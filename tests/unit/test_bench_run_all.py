"""``make bench`` runs ``bench.run_all``: every benchmark it names exists and has a main()."""

import ast
from pathlib import Path

import pytest

from bench.run_all import BENCHMARKS, main

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.parametrize("name", BENCHMARKS)
def test_run_all_names_a_benchmark_with_a_main(name: str) -> None:
    tree = ast.parse((BENCH_DIR / f"{name}.py").read_text(encoding="utf-8"))
    assert "main" in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


def test_run_all_lists_every_benchmark_script(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list"]) == 0
    assert capsys.readouterr().out.split() == list(BENCHMARKS)
    scripts = {p.stem for p in BENCH_DIR.glob("*.py")} - {"run_all", "bench_servers"}
    assert scripts == set(BENCHMARKS)
