"""The load bench, small: a served app, 3 protocol-level sessions (one of them training) for 5 s."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_load_bench_measures_latency_without_errors():
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "load.py"), "--sessions", "3", "--training-share", "0.34",
                          "--seconds", "5", "--interval", "1.0", "--open-timeout", "20", "--json"],
                         check=False, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["interactive"] == 2 and result["training"] == 1
    assert result["latency_ms"]["n"] >= 4, result
    assert 0 < result["latency_ms"]["p50"] <= result["latency_ms"]["max"] < 5000, result
    assert result["errors"] == 0, result["error_samples"]
    assert result["rss_mb"]["baseline"] > 0 and result["rss_mb"]["per_session"] > 0, result
    assert result["training_frames_per_s"] > 0, result     # Play was pressed and the trainer's frames arrive
    assert result["server_cpu_pct"] > 0, result
