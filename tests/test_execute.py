"""Tests of helpers.execute on tiny fixture notebooks."""

import json
import os

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers import execute


def _notebook(*sources):
    return new_notebook(
        cells=[new_markdown_cell("# title")] + [new_code_cell(s) for s in sources],
        metadata={
            "kernelspec": {
                "name": "python3",
                "display_name": "Python 3",
                "language": "python",
            }
        },
    )


def test_fingerprint_follows_code_not_prose_or_formatting():
    nb = _notebook("x = 1", "print(x)")
    base = execute.notebook_fingerprint(nb)
    nb.cells[0].source = "# another title"
    assert execute.notebook_fingerprint(nb) == base
    nb.cells[2].source = "print( x )   # the same code, reformatted and commented"
    assert execute.notebook_fingerprint(nb) == base
    nb.cells[1].source = "x = 2"
    assert execute.notebook_fingerprint(nb) != base


def test_execute_records_mode_and_fingerprint(tmp_path):
    path = tmp_path / "tiny.ipynb"
    nbformat.write(_notebook("import os\nprint(os.environ['BOOK_MODE'])"), path)
    record = execute.execute_notebook(path, "quick", timeout=120, calibrate=False)
    stored = json.loads(path.read_text())
    assert stored["metadata"]["rnn_book"] == record
    assert record["mode"] == "quick" and record["run_seconds"] >= 0
    assert record["fingerprint"] == execute.notebook_fingerprint(stored)
    assert record["fingerprint_parts"]["cells"] and record["records_read"] == []
    assert oct(path.stat().st_mode & 0o777) != oct(
        0o600
    )  # written like any file, not private
    cell = stored["cells"][1]
    assert (
        cell["execution_count"] == 1
        and "".join(cell["outputs"][0]["text"]) == "quick\n"
    )


def test_failed_run_leaves_the_notebook_untouched(tmp_path):
    from nbclient.exceptions import CellExecutionError

    path = tmp_path / "broken.ipynb"
    nbformat.write(_notebook("print('ok')", "1 / 0"), path)
    before = path.read_bytes()
    with pytest.raises(CellExecutionError):
        execute.execute_notebook(path, "quick", timeout=120, calibrate=False)
    assert path.read_bytes() == before
    assert execute.main([str(path), "--mode", "quick"]) == 1


def test_peak_memory_reads_vmhwm_and_falls_back(tmp_path):
    (tmp_path / "42").mkdir()
    (tmp_path / "42" / "status").write_text(
        "Name:\tpython\nVmPeak:\t 900000 kB\nVmHWM:\t  204800 kB\n"
    )
    assert execute.peak_memory_mib(42, proc_root=tmp_path) == 200.0
    (tmp_path / "43").mkdir()
    (tmp_path / "43" / "status").write_text(
        "Name:\tpython\nVmRSS:\t 1024 kB\n"
    )  # no VmHWM line
    assert execute.peak_memory_mib(43, proc_root=tmp_path) is None
    assert execute.peak_memory_mib(44, proc_root=tmp_path) is None  # no such process
    assert execute.peak_memory_mib(None) is None


@pytest.mark.skipif(
    not os.path.exists(f"/proc/{os.getpid()}/status"), reason="needs Linux /proc"
)
def test_peak_memory_of_this_process_is_at_least_its_current_size():
    import resource

    peak = execute.peak_memory_mib(os.getpid())
    assert peak is not None and peak > 1
    # ru_maxrss is the same high-water mark, in KiB on Linux
    assert abs(peak - resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024) < 64


@pytest.mark.skipif(
    not os.path.exists(f"/proc/{os.getpid()}/status"), reason="needs Linux /proc"
)
def test_execute_records_the_kernel_peak_memory(tmp_path):
    small, big = tmp_path / "small.ipynb", tmp_path / "big.ipynb"
    nbformat.write(_notebook("x = 1"), small)
    # 300 MiB of touched memory, freed again: the peak remembers it, the current size does not
    nbformat.write(_notebook("b = bytearray(300 * 2**20)\ndel b", "x = 1"), big)
    small_peak = execute.execute_notebook(small, "quick", timeout=120, calibrate=False)[
        "peak_memory_mib"
    ]
    big_peak = execute.execute_notebook(big, "quick", timeout=120, calibrate=False)[
        "peak_memory_mib"
    ]
    assert 10 < small_peak < 1024
    assert big_peak - small_peak > 250
    assert (
        json.loads(big.read_text())["metadata"]["rnn_book"]["peak_memory_mib"]
        == big_peak
    )


def test_execute_in_another_working_folder(tmp_path):
    (tmp_path / "work").mkdir()
    path = tmp_path / "copy.ipynb"
    nbformat.write(_notebook("import os\nprint(os.path.basename(os.getcwd()))"), path)
    execute.execute_notebook(
        path, "quick", timeout=120, cwd=tmp_path / "work", calibrate=False
    )
    assert (
        "".join(json.loads(path.read_text())["cells"][1]["outputs"][0]["text"])
        == "work\n"
    )


def test_the_kernel_runs_the_helpers_that_are_fingerprinted(tmp_path):
    path = tmp_path / "which.ipynb"
    nbformat.write(_notebook("import helpers\nprint(helpers.__file__)"), path)
    execute.execute_notebook(path, "quick", timeout=120, calibrate=False)
    printed = "".join(
        json.loads(path.read_text())["cells"][1]["outputs"][0]["text"]
    ).strip()
    assert printed == str(execute.PACKAGE_PARENT / "helpers" / "__init__.py")


def test_execute_times_the_calibration_in_the_kernel_without_storing_it(tmp_path):
    path = tmp_path / "calibrated.ipynb"
    nb = _notebook(
        "x = 1  # stands in for the setup cell: start_chapter(1)", "print(x)"
    )
    nbformat.write(nb, path)
    record = execute.execute_notebook(path, "quick", timeout=300)
    stored = json.loads(path.read_text())
    assert len(record["calibration_seconds"]) == 2
    assert all(s is not None and s > 0 for s in record["calibration_seconds"])
    assert record["load_factor"] > 0
    code = [c for c in stored["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == [1, 2]
    assert len(code) == 2 and "calibration" not in json.dumps(stored["cells"])


def test_a_failed_calibration_probe_leaves_no_figure_and_no_error(
    tmp_path, monkeypatch
):
    from helpers import calibration

    monkeypatch.setattr(calibration, "CELL_SOURCE", "raise RuntimeError('no probe')")
    path = tmp_path / "probe.ipynb"
    nbformat.write(_notebook("print(1)"), path)
    record = execute.execute_notebook(path, "quick", timeout=120)
    assert record["calibration_seconds"] == [None] and record["load_factor"] is None


def test_a_long_run_is_probed_again_at_cell_boundaries(tmp_path, monkeypatch):
    monkeypatch.setattr(execute, "PROBE_INTERVAL", 0)  # every cell boundary is due
    path = tmp_path / "long.ipynb"
    nbformat.write(_notebook("# start_chapter(1)", "x = 1", "print(x)"), path)
    record = execute.execute_notebook(path, "quick", timeout=300)
    assert len(record["calibration_seconds"]) == 3
    times = record["calibration_at_seconds"]
    assert times == sorted(times) and times[-1] <= record["run_seconds"]
