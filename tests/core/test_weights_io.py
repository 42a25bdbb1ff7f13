"""Network files: JSON and .npz written then read give the same numbers; bad files are refused clearly."""
import io
import json

import numpy as np
import pytest

from nnviz import core
from nnviz.core import weights_io


@pytest.fixture
def net():
    n = core.Network.init((3, 5, 4, 2), ["gelu", "silu"], "softmax", seed=3)
    n.b = [np.linspace(-1, 1, len(b)) for b in n.b]
    return n


@pytest.mark.parametrize("write, read", [(lambda n: weights_io.to_json(n).encode(), weights_io.from_json),
                                         (weights_io.to_npz, weights_io.from_npz)])
def test_write_then_read_is_exact(net, write, read):
    back = read(write(net))
    assert back.sizes == net.sizes and back.activations == net.activations and back.output == net.output
    for a, b in zip(net.W + net.b, back.W + back.b):
        np.testing.assert_array_equal(a, b)
    assert weights_io.read(write(net)).sizes == net.sizes          # told apart by content


def test_json_is_the_trace_schema(net):
    obj = json.loads(weights_io.to_json(net, x=[0.5, -1, 2]))
    assert obj["sizes"] == [3, 5, 4, 2] and len(obj["layers"]) == 3
    z1 = np.asarray(obj["layers"][0]["W"]) @ np.asarray(obj["input"]) + obj["layers"][0]["b"]
    np.testing.assert_allclose(obj["layers"][0]["z"], z1)


@pytest.mark.parametrize("data, word", [
    (b"{not json", "not a JSON"),
    (b'{"sizes": [2, 1]}', "lacks"),
    (json.dumps({"sizes": [2, 1], "output": "linear", "activations": [],
                 "layers": [{"W": [[1, 2, 3]], "b": [0]}]}).encode(), "shape"),
    (json.dumps({"sizes": [2, 1], "output": "linear", "activations": [],
                 "layers": [{"W": [[1, float("nan")]], "b": [0]}]}).encode(), "NaN"),
    (json.dumps({"sizes": [2, 1], "output": "evil", "activations": [],
                 "layers": [{"W": [[1, 2]], "b": [0]}]}).encode(), "output"),
    (json.dumps({"sizes": [5000, 1], "output": "linear", "activations": [],
                 "layers": [{"W": [[0] * 5000], "b": [0]}]}).encode(), "limit"),
    (b"PK\x03\x04garbage", "not a NumPy"),
])
def test_bad_files_are_refused_with_a_reason(data, word):
    with pytest.raises(ValueError, match=word):
        weights_io.read(data)


def test_npz_never_unpickles():
    buf = io.BytesIO()
    np.savez(buf, sizes=np.array([2, 1], dtype=object), W1=np.zeros((1, 2)), b1=np.zeros(1),
             activations=np.array([], dtype="U4"), output=np.array("linear"))
    with pytest.raises(ValueError):
        weights_io.from_npz(buf.getvalue())
