"""`python -m nnviz` as a user runs it: a real subprocess, its stdout, stderr and exit status."""
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "nnviz", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_params_prints_the_lesson_table():
    r = run("params", "784,256,128,10")
    assert r.returncode == 0, r.stderr
    assert "235,146" in r.stdout
    for n in ("200,960", "32,896", "1,290"):
        assert n in r.stdout
    assert r.stderr == ""


def test_params_json():
    r = run("params", "784,256,128,10", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["total"] == 235_146 and data["sizes"] == [784, 256, 128, 10]


def test_trace_digits_shows_the_true_z1():
    r = run("trace", "--preset", "digits")
    assert r.returncode == 0, r.stderr
    z1_line = next(line for line in r.stdout.splitlines() if "z1 =" in line)
    numbers = [float(v) for v in z1_line.split("[")[1].split("]")[0].split()]
    assert_allclose(numbers, [0.12, 0.75, -0.41], atol=1e-9)
    assert "0.3 " not in z1_line and "0.6 " not in z1_line


def _gelu(v):
    # z * Phi(z) with Phi from the standard library's erf, independent of nnviz.
    return v * 0.5 * (1.0 + math.erf(v / math.sqrt(2.0)))


def test_trace_json_recomputes_independently():
    r = run("trace", "--sizes", "3,5,4,2", "--activation", "gelu", "--output", "softmax",
            "--seed", "7", "--input", "0.5,-1,2", "--json")
    assert r.returncode == 0, r.stderr
    lines = [line for line in r.stdout.splitlines() if line.strip()]
    assert len(lines) == 1                                           # exactly one JSON object
    data = json.loads(lines[0])
    assert set(data) == {"sizes", "activation", "output", "input", "input_names", "layers"}
    assert data["input_names"] == [f"x{i}" for i in range(1, len(data["input"]) + 1)]
    assert data["sizes"] == [3, 5, 4, 2]
    assert data["activation"] == "gelu" and data["output"] == "softmax"
    assert data["input"] == [0.5, -1.0, 2.0]
    assert len(data["layers"]) == 3
    a_prev = np.array(data["input"])
    for l, layer in enumerate(data["layers"], 1):
        assert set(layer) == {"W", "b", "z", "a"}
        W, b = np.array(layer["W"]), np.array(layer["b"])
        assert W.shape == (data["sizes"][l], data["sizes"][l - 1])
        z = W @ a_prev + b
        assert_allclose(layer["z"], z, rtol=1e-12, atol=1e-14)
        if l < 3:
            a = np.array([_gelu(v) for v in z])
        else:
            e = np.exp(z - z.max())
            a = e / e.sum()
        assert_allclose(layer["a"], a, rtol=1e-10, atol=1e-14)
        a_prev = np.array(layer["a"])
    assert math.isclose(sum(data["layers"][-1]["a"]), 1.0, rel_tol=1e-12)


def test_trace_json_same_seed_same_numbers():
    args = ("trace", "--sizes", "3,5,4,2", "--seed", "7", "--input", "0.5,-1,2", "--json")
    assert run(*args).stdout == run(*args).stdout


@pytest.mark.parametrize("args, word", [
    (("trace", "--sizes", "3,0"), "at least 1"),
    (("params", "3,0"), "at least 1"),
    (("params", "3,2.5"), "whole number"),
    (("trace", "--sizes", "3,4", "--input", "1,x"), "not a number"),
    (("trace", "--bogus"), "unrecognized"),
    (("trace", "--preset", "nope"), "invalid choice"),
    (("trace", "--sizes", "3,4", "--input", "1,nan,2"), "NaN"),
    (("trace", "--sizes", "3,4", "--input", "1,2"), "has 2 values"),
    (("trace", "--activation", "swish"), "invalid choice"),
    (("params",), "required"),
    ((), "required"),
])
def test_bad_arguments_exit_2_with_one_line(args, word):
    r = run(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert lines[0].startswith("nnviz: error:") and word in lines[0]


def test_train_digits_uses_the_digits_tab_network_and_settings():
    r = run("train", "--problem", "digits", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["sizes"] == [64, 32, 10] and out["lr"] == 0.1 and out["batch_size"] == 32 and out["epochs"] == 30
    assert out["activation"] == "tanh" and out["test_accuracy"] >= 0.9


@pytest.mark.parametrize("name", ["leaky_relu", "silu"])
def test_new_activations_in_the_cli(name):
    r = run("trace", "--sizes", "2,3,1", "--activation", name, "--output", "linear", "--input", "-1,2", "--json")
    data = json.loads(r.stdout)
    assert data["activation"] == name
    z1 = np.asarray(data["layers"][0]["z"])
    expected = {"leaky_relu": np.where(z1 > 0, z1, 0.01 * z1), "silu": z1 / (1 + np.exp(-z1))}[name]
    np.testing.assert_allclose(data["layers"][0]["a"], expected, rtol=1e-12)


def test_pieces_counts_both_constructions():
    r = run("pieces", "--depth", "6")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 6
    for k, line in enumerate(lines, 1):
        assert line.startswith(f"k={k}:") and f" {2 ** k} pieces" in line
    r = run("pieces", "--depth", "6", "--json")
    rows = json.loads(r.stdout)["rows"]
    assert [row["deep_pieces"] for row in rows] == [2, 4, 8, 16, 32, 64]
    assert all(row["shallow_pieces"] <= 2 * row["k"] + 1 for row in rows)
    assert all(row["deep_params"] == row["shallow_params"] == 6 * row["k"] + 1 for row in rows)
    bad = run("pieces", "--depth", "0")
    assert bad.returncode == 2 and "depth" in bad.stderr


def test_trace_reads_a_weights_file_saved_by_the_app(tmp_path):
    from nnviz import core
    from nnviz.core import weights_io
    net = core.Network.init((2, 3, 1), "leaky_relu", "sigmoid", seed=4)
    for name, data in (("net.json", weights_io.to_json(net).encode()), ("net.npz", weights_io.to_npz(net))):
        path = tmp_path / name
        path.write_bytes(data)
        r = run("trace", "--weights", str(path), "--input", "-1,2", "--json")
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        np.testing.assert_allclose(out["layers"][-1]["a"], net(np.array([-1.0, 2.0])), rtol=1e-15)
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    r = run("trace", "--weights", str(bad))
    assert r.returncode == 2 and "not a JSON" in r.stderr


def test_train_order_matches_the_trainer():
    """--order playground trains exactly as the Trainer with order='playground' (and differs from shuffled)."""
    from nnviz.core import training
    losses = {}
    for order in ("shuffled", "playground"):
        r = run("train", "--problem", "xor", "--epochs", "5", "--order", order, "--json")
        assert r.returncode == 0, r.stderr
        losses[order] = json.loads(r.stdout)["train_loss"]
    t = training.build_trainer("xor", order="playground")
    t.run(5)
    assert losses["playground"] == pytest.approx(t.history["train_loss"][-1], rel=1e-12)
    assert losses["playground"] != losses["shuffled"]
