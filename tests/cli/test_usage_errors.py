"""Every mistake a user can make on the command line is answered in one line with exit code 2.

Each case runs the real console entry point in a subprocess (``python -m starskope``), as a
user would, so that what typer or click print by themselves counts too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PIMEN = "tess/misc/zclaytor+lcs_demo/tess2018206045859-s0001-0000000261136679-0120-s_lc.fits.gz"
K2_3_CSV = "k2/misc/hippke+tls/EPIC201367065.csv"  # no header: BKJD time, normalised flux
K2SC = "k2/misc/AstroVPK+kali/hlsp_k2sc_k2_llc_212141173-c05_kepler_v1_lc.fits.gz"  # warns: time system assumed


def starskope(*args: str, columns: int = 100) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "starskope", *args], capture_output=True, text=True,
                          timeout=600, env=env)


def one_line_error(run: subprocess.CompletedProcess[str], *fragments: str | tuple[str, ...]) -> str:
    """The single stderr line of a failed run, after checking it says every fragment (a
    tuple: one of them, for wording that differs between typer/click versions; the case
    of a fragment never matters)."""
    # warnings come first, each on its own line (test_warnings_are_one_line_each)
    lines = [line for line in run.stderr.strip().splitlines() if not line.startswith("warning: ")]
    assert run.returncode == 2, (run.returncode, run.stderr[-2000:])
    assert len(lines) == 1, run.stderr
    (line,) = lines
    assert line.startswith("error: ") and not line.startswith("error: error:"), line
    assert "Traceback" not in run.stderr
    for fragment in fragments:
        options = fragment if isinstance(fragment, tuple) else (fragment,)
        assert any(o.lower() in line.lower() for o in options), (fragment, line)
    return line


# (arguments, fragments the one line must hold: the argument or file, the rule, the value)
NO_DATA_MISTAKES = [
    (["serch"], ["no such command", "'serch'", "'search'"]),
    (["info", "--bogus"], ["starskope info", "no such option", "--bogus"]),
    (["search"], ["starskope search", "missing argument", "files"]),
    (["search", "--time-format", "bkjd"], ["starskope search", "missing argument", "files"]),
    (["search", "x.fits", "--time-format"], ["--time-format", "requires an argument"]),
    (["vet", "x.fits", "--period", "abc", "--epoch", "2458000", "--duration", "2"],
     ["'--period'", "'abc'", ("number", "float")]),
    (["vet", "x.fits", "--period", "1e9", "--epoch", "2458000", "--duration", "2.8"],
     ["--period 1e+09 d", "transit durations", "--duration 2.8 h", "P/T14 above 1e+05"]),
    (["vet", "x.fits", "--period", "5", "--epoch", "2458000", "--duration", "200"],
     ["--duration 200 h", "shorter than the --period 5 d"]),
    (["vet", "x.fits", "--period", "5", "--epoch", "2458000", "--duration", "-2"],
     ["--duration", "positive", "-2"]),
    (["vet", "x.fits", "--period", "0", "--epoch", "2458000", "--duration", "2"],
     ["--period", "positive", "0"]),
    (["search", "x.fits", "--snr", "-1"], ["--snr", "positive signal-to-noise ratio", "-1"]),
    (["search", "x.fits", "--snr", "0"], ["--snr", "positive signal-to-noise ratio", "0"]),
    (["search", "x.fits", "--period-min", "-1"], ["--period-min", "positive", "-1"]),
    (["search", "x.fits", "--time-format", "bkjdd"], ["--time-format", "'bkjdd'", "bkjd"]),
    (["search", "x.fits", "--mission", "Hubble"], ["--mission", "'Hubble'", "kepler", "tess"]),
    (["info", "no-such-file.fits"], ["no-such-file.fits", "no such file"]),
]


@pytest.mark.parametrize(("args", "fragments"), NO_DATA_MISTAKES, ids=[" ".join(a) for a, _ in NO_DATA_MISTAKES])
def test_a_usage_mistake_is_one_line_and_exit_2(args, fragments) -> None:
    run = starskope(*args)
    one_line_error(run, *fragments)
    assert run.stdout == ""


def test_verbose_shows_the_traceback_instead() -> None:
    run = starskope("-v", "info", "no-such-file.fits")
    assert run.returncode == 2
    assert "Traceback" in run.stderr and "LightCurveFileError" in run.stderr


def test_warnings_are_one_line_each(shared_data: Path) -> None:
    """A warning says its message on one line, without Python's file name and source line."""
    run = starskope("info", str(shared_data / K2SC))
    assert run.returncode == 0, run.stderr[-2000:]
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith("warning: ") and "time system assumed: BKJD" in line and "K2SC" in line


def test_an_absurd_period_is_refused_before_the_file_is_read(shared_data: Path) -> None:
    """``vet --period 1e9`` asked for 228 GiB (a phase grid of 4 P / T14 bins); now the
    ephemeris is checked before anything is read, so even a real file is never opened."""
    run = starskope("vet", str(shared_data / PIMEN), "--period", "1e9", "--epoch", "3011.55",
                    "--epoch-format", "btjd", "--duration", "2.79")
    one_line_error(run, "--period 1e+09 d", "P/T14 above 1e+05", "at most 1.162e+04 d")


def test_an_epoch_far_from_the_data_is_refused(shared_data: Path) -> None:
    run = starskope("vet", str(shared_data / PIMEN), "--period", "6.27", "--epoch", "1e12",
                    "--duration", "2.79", "--no-catalogs")
    one_line_error(run, "--epoch BJD 1e+12", "from the light curve", "give an epoch within")


def test_a_headerless_csv_says_which_options_to_pass(shared_data: Path) -> None:
    run = starskope("search", str(shared_data / K2_3_CSV), "--no-catalogs")
    line = one_line_error(run, "EPIC201367065.csv", "cannot tell the time system", "--time-format")
    assert "time_format=" not in line  # not Python syntax


def test_a_headerless_csv_is_searched_with_time_format_and_mission(shared_data: Path) -> None:
    """The shipped K2-3 CSV (no header) with ``--time-format bkjd --mission K2``; the table
    fits a 100-column terminal."""
    run = starskope("search", str(shared_data / K2_3_CSV), "--time-format", "bkjd", "--mission", "K2",
                    "--no-catalogs", "--max-planets", "2")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "EPIC 201367065" in run.stdout and "10.054" in run.stdout  # K2-3 b
    assert max(len(line) for line in run.stdout.splitlines()) <= 100


def test_search_table_fits_100_columns(shared_data: Path) -> None:
    run = starskope("search", str(shared_data / PIMEN), "--period-max", "10", "--no-catalogs", columns=100)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    # pi Men c's row (the first candidate; weaker ones follow) holds its whole epoch
    # (BJD_TDB, 4 decimals), not folded onto the next line
    row = next(line for line in lines if "TIC 261136679" in line)
    assert re.search(r" 6\.26\d{3} +24583\d\d\.\d{4} ", row), row


def test_classify_reads_a_headerless_csv_with_time_format_and_mission(shared_data: Path, tmp_path: Path) -> None:
    """Without the options the one error line says which to pass; with them the K2-3 CSV is
    classified, and the earlier failure in the run's journal is not reused (the reading
    options are part of what a result depends on)."""
    import pandas as pd

    out = tmp_path / "k2-3.csv"
    run = starskope("classify", str(shared_data / K2_3_CSV), "--out", str(out), "--quiet", "--no-stellar")
    line = one_line_error(run, "none of the 1 inputs could be analysed", "cannot tell the time system",
                          "--time-format")
    assert "time_format=" not in line
    run = starskope("classify", str(shared_data / K2_3_CSV), "--time-format", "bkjd", "--mission", "K2",
                    "--out", str(out), "--quiet", "--no-stellar")
    assert run.returncode == 0, run.stderr[-2000:]
    (row,) = pd.read_csv(out, keep_default_na=False).to_dict("records")
    assert not str(row["flags"]).startswith("error:"), row["flags"]
    assert row["mission"] == "K2" and "201367065" in str(row["target_id"])
    assert float(row["period_days"]) == pytest.approx(10.0545, rel=1e-3)  # K2-3 b, the strongest signal
