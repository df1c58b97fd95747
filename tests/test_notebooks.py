"""The notebooks in notebooks/ run from a fresh clone, and the committed copies carry their outputs."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
NAMES = ["01-quickstart.ipynb", "02-who-runs-what.ipynb", "03-export.ipynb"]
# Something each notebook must show once run: a user reading it relies on these answers.
EXPECTED = {
    "01-quickstart.ipynb": ["李新宇", "董事长", "拓维信息", "image/png", "application/vnd.jupyter.widget-view+json"],
    "02-who-runs-what.ipynb": ["郑武芳", "永雄集团", "拓维信息党支部", "image/png"],
    "03-export.ipynb": ["nodes per kind agree: True", "edges per predicate agree: True", "李新宇", "华为"],
}


def outputs_text(nb) -> str:
    return json.dumps([c.get("outputs", []) for c in nb.cells if c.cell_type == "code"], ensure_ascii=False)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_and_shows_its_answers(name, tmp_path):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:  # run from scratch, not from the committed outputs
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    shown = outputs_text(nb)
    assert '"output_type": "error"' not in shown
    for needle in EXPECTED[name]:
        assert needle in shown, f"{name} no longer shows {needle!r}"


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_carries_its_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "run the notebook before committing it"
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    shown = outputs_text(nb)
    assert '"output_type": "error"' not in shown
    for needle in EXPECTED[name]:
        assert needle in shown
