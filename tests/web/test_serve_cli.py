"""``starskope serve`` from the command line: it starts, answers, and refuses bad options."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx

from starskope.cli import main


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_starts_and_answers(tmp_path, shared_data):
    port = _free_port()
    db = tmp_path / "cli.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "starskope", "serve", "--port", str(port), "--db", str(db), "--data-dir",
         str(shared_data), "--max-upload-mb", "5", "--no-model", "--threads"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        health = None
        t0 = time.time()
        while time.time() - t0 < 60:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).json()
                break
            except httpx.HTTPError:
                if proc.poll() is not None:
                    raise AssertionError(proc.stdout.read()) from None
                time.sleep(0.3)
        assert health is not None and health["status"] == "ok"
        assert health["model"] == "none" and health["max_upload_mb"] == 5.0 and health["data_folder"]
        assert db.exists() and (tmp_path / "cli.db-files" / "uploads").is_dir()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


def test_serve_refuses_bad_options(tmp_path, capsys):
    assert main(["serve", "--port", "0", "--db", str(tmp_path / "x.db")]) == 2
    assert "--port must lie in 1..65535" in capsys.readouterr().err
    assert main(["serve", "--no-model", "--model", str(tmp_path), "--db", str(tmp_path / "x.db")]) == 2
    assert "either --model or --no-model" in capsys.readouterr().err
    assert main(["serve", "--model", str(tmp_path / "nope"), "--db", str(tmp_path / "x.db")]) == 2
    assert "nope" in capsys.readouterr().err
    assert main(["serve", "--data-dir", str(tmp_path / "nowhere"), "--db", str(tmp_path / "x.db")]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert main(["serve", "--max-upload-mb", "0", "--db", str(tmp_path / "x.db")]) == 2
    assert "max_upload_mb must be positive" in capsys.readouterr().err
