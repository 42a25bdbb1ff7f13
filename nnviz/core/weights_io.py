"""Networks as files: JSON (the `trace --json` schema) and NumPy .npz. NumPy only.

Both carry sizes, hidden activations, output activation and every W (n_out, n_in) and b. Reading
validates like everything else: a size bound on the file, known keys and names, shapes that fit the
sizes, finite numbers, the engine's limits. Any problem is one ValueError saying what is wrong.
"""
from __future__ import annotations

import io
import json
import zipfile

import numpy as np

from .network import Network, validate_sizes

MAX_FILE_BYTES = 50 * 1024 * 1024     # a 784-256-128-10 network is about 2 MB as .npz, 5 MB as JSON
FORMAT = "nnviz-network/1"


def to_json(net: Network, x=None, extra: dict | None = None) -> str:
    """The network (and, if given, its input and trace) as the CLI's `trace --json` object."""
    out = {"format": FORMAT, "sizes": list(net.sizes), "activations": list(net.activations),
           "activation": net.activations[0] if len(set(net.activations)) == 1 else list(net.activations) or None,
           "output": net.output}
    layers = [{"W": W.tolist(), "b": b.tolist()} for W, b in zip(net.W, net.b)]
    if x is not None:
        tr = net.forward(np.asarray(x, dtype=float))
        out["input"] = tr.a[0].tolist()
        for l, layer in enumerate(layers, 1):
            layer.update(z=tr.z[l].tolist(), a=tr.a[l].tolist())
    out["layers"] = layers
    out.update(extra or {})
    return json.dumps(out)


def to_npz(net: Network) -> bytes:
    """The network as a NumPy .npz: sizes, activations, output, W1..WL, b1..bL."""
    buf = io.BytesIO()
    arrays = {f"W{l}": W for l, W in enumerate(net.W, 1)} | {f"b{l}": b for l, b in enumerate(net.b, 1)}
    np.savez_compressed(buf, sizes=np.array(net.sizes), activations=np.array(list(net.activations), dtype="U16"),
                        output=np.array(net.output, dtype="U16"), **arrays)
    return buf.getvalue()


def _build(sizes, activations, output, W, b) -> Network:
    sizes = validate_sizes([int(n) for n in sizes])
    L = len(sizes) - 1
    if isinstance(activations, str):
        activations = [activations] * (L - 1)
    acts = [str(a) for a in (activations or [])]
    if len(W) != L or len(b) != L:
        raise ValueError(f"the file has {len(W)} weight matrices and {len(b)} bias vectors; sizes need {L} each")
    return Network(sizes, W, b, acts, str(output))          # checks names, shapes and finite numbers


def from_json(data) -> Network:
    """A network from `to_json` text (or bytes)."""
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")
    try:
        obj = json.loads(data)
        layers = obj["layers"]
        acts = obj.get("activations", obj.get("activation"))
        W = [np.asarray(layer["W"], dtype=float) for layer in layers]
        b = [np.asarray(layer["b"], dtype=float) for layer in layers]
        return _build(obj["sizes"], acts, obj["output"], W, b)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValueError("this is not a JSON network file") from None
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"the JSON file lacks {exc} or has it in the wrong form") from None


def from_npz(data: bytes) -> Network:
    """A network from `to_npz` bytes (no pickled objects are ever loaded)."""
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as f:
            sizes = f["sizes"].tolist()
            L = len(sizes) - 1
            W = [f[f"W{l}"] for l in range(1, L + 1)]
            b = [f[f"b{l}"] for l in range(1, L + 1)]
            return _build(sizes, f["activations"].tolist(), str(f["output"]), W, b)
    except (OSError, zipfile.BadZipFile, EOFError):
        raise ValueError("this is not a NumPy .npz network file") from None
    except KeyError as exc:
        raise ValueError(f"the .npz file lacks {exc}") from None


def read(data: bytes, name: str = "") -> Network:
    """A network from a file's bytes: .npz (a zip) or JSON, told apart by content."""
    if data[:2] == b"PK" or name.lower().endswith(".npz"):
        return from_npz(data)
    return from_json(data)
