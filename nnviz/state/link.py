"""The link: a session state written to URL query values and read back, generated from its declaration.

param only (no Panel). Every parameter whose metadata has "link" is a field; how it is written and
read follows from its type (Integer, Number, Boolean, Selector, List, ListSelector) and its bounds,
like TensorFlow Playground's state table. Settings groups are written under their prefix
(`train.lr`). Only values that differ from the defaults are written. Floats are written in their
shortest exact form, so a state read back is the same state.

Trained or hand-set weights travel as one value `w`: float32, zlib-compressed, URL-safe base64, for
networks up to MAX_LINK_PARAMS parameters. Long input vectors travel the same way in float64.
"""
from __future__ import annotations

import base64
import binascii
import zlib

import numpy as np
import param

from ..core import presets
from . import parse

MAX_LINK_PARAMS = 2500        # networks up to this many weights + biases carry them (the digits 64-32-10: 2,410)
MAX_TEXT_INPUTS = 64          # longer input vectors are written packed, like weights
MAX_VALUE_CHARS = 16_384      # a longer value is refused unread
PACKED = "z:"                 # prefix of a packed array
NETWORK_ORDER = ("preset", "sizes", "activation", "output", "seed", "w", "x")


# --- fields ------------------------------------------------------------------------------------

def fields(state):
    """(key, owner, name, parameter) of every linked parameter, groups expanded under their prefix."""
    out = []
    for name, p in state.param.objects("existing").items():
        meta = p.metadata or {}
        if "group" in meta:
            group = getattr(state, name)
            for sub, q in group.param.objects("existing").items():
                if (q.metadata or {}).get("link"):
                    out.append((f"{meta['group']}.{sub}", group, sub, q))
        elif meta.get("link"):
            key = meta["link"] if isinstance(meta["link"], str) else name
            out.append((key, state, name, p))
    return out


def write_value(p: param.Parameter, value) -> str:
    """One value as query text, by the parameter's type."""
    if isinstance(p, param.Boolean):
        return "1" if value else "0"
    if isinstance(p, (param.List, param.ListSelector)):
        if getattr(p, "item_type", None) is float:
            return pack(value, np.float64) if len(value) > MAX_TEXT_INPUTS else ",".join(repr(float(v)) for v in value)
        if getattr(p, "item_type", None) is str and len(set(value)) == 1:
            return str(value[0])              # one name for every layer is written once
        return ",".join(str(v) for v in value)
    if isinstance(p, param.Integer):
        return str(int(value))
    if isinstance(p, param.Number):
        return repr(float(value))
    return str(value)


def read_value(p: param.Parameter, text: str, what: str):
    """Query text as the parameter's value; ValueError (with a short message) if it cannot be one."""
    if isinstance(p, param.Boolean):
        if text not in ("0", "1"):
            raise ValueError(f"{what} {parse.clip(text)} must be 0 or 1")
        return text == "1"
    if isinstance(p, param.ListSelector):
        vals = [v for v in text.split(",") if v]
        for v in vals:
            if v not in p.objects:
                raise ValueError(f"{what} {parse.clip(v)} is not one of {', '.join(map(str, p.objects))}")
        return vals
    if isinstance(p, param.List):
        kind = getattr(p, "item_type", None)
        if kind is float and text.startswith(PACKED):
            return unpack(text, np.float64).tolist()
        if kind in (int, float):
            return parse.numbers(text, kind, what)
        return [v for v in text.split(",") if v]
    if isinstance(p, param.Selector):
        if text not in p.objects:
            raise ValueError(f"{what} {parse.clip(text)} is not one of {', '.join(map(str, p.objects))}")
        return text
    value = parse.whole(text, what) if isinstance(p, param.Integer) else parse.number(text, what)
    lo, hi = p.bounds or (None, None)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueError(f"{what} {parse.clip(text)} is outside {lo}..{hi}")
    return value


# --- packed arrays -----------------------------------------------------------------------------

def pack(values, dtype=np.float32) -> str:
    """Numbers as 'z:' + URL-safe base64 of their zlib-compressed little-endian bytes."""
    raw = np.asarray(values, dtype=np.dtype(dtype).newbyteorder("<")).tobytes()
    return PACKED + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def unpack(text: str, dtype=np.float32, count: int | None = None) -> np.ndarray:
    """The numbers of pack(); ValueError for anything else, non-finite values or the wrong count."""
    dt = np.dtype(dtype).newbyteorder("<")
    limit = (count if count is not None else MAX_VALUE_CHARS) * dt.itemsize
    body = text[len(PACKED):] if text.startswith(PACKED) else None
    try:
        data = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
        z = zlib.decompressobj()
        raw = z.decompress(data, limit + 1)          # bounded: a small link cannot expand to gigabytes
    except (TypeError, ValueError, zlib.error, binascii.Error):
        raise ValueError("packed numbers are damaged (copy the whole link)") from None
    if len(raw) % dt.itemsize or len(raw) > limit:
        raise ValueError("packed numbers have the wrong length (copy the whole link)")
    arr = np.frombuffer(raw, dtype=dt).astype(float)
    if count is not None and arr.size != count:
        raise ValueError(f"packed numbers hold {arr.size} values; this network needs {count}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("packed numbers contain NaN or infinity")
    return arr


def pack_weights(net) -> str:
    """Every W (row by row) then b, layer after layer, packed as float32."""
    return pack(np.concatenate([np.concatenate([W.ravel(), b]) for W, b in zip(net.W, net.b)]))


def unpack_weights(text: str, sizes):
    """(W, b) lists for a network of these sizes from pack_weights' text."""
    flat = unpack(text, np.float32, sum(n_out * (n_in + 1) for n_in, n_out in zip(sizes[:-1], sizes[1:])))
    W, b, at = [], [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W.append(flat[at: at + n_in * n_out].reshape(n_out, n_in))
        at += n_in * n_out
        b.append(flat[at: at + n_out])
        at += n_out
    return W, b


def weights_travel(state) -> bool:
    """True when the network's weights fit in a link."""
    return state.network.count_params()["total"] <= MAX_LINK_PARAMS


# --- the whole state -----------------------------------------------------------------------------

def baseline(state) -> dict:
    """What reading `preset=` alone gives for the network's fields (the defaults for a custom network)."""
    if state.preset not in presets.PRESETS:
        return {}
    net, x = presets.load(state.preset)
    return {"sizes": list(net.sizes), "activations": list(net.activations), "output": net.output,
            "seed": int(net.meta.get("seed") or 0), "x": [float(v) for v in x]}


def write(state) -> dict:
    """The state as query values (strings): every linked value that differs from what reading gives without it."""
    q, base = {}, baseline(state)
    for key, owner, name, p in fields(state):
        value = getattr(owner, name)
        if (p.metadata or {}).get("codec") == "weights":
            if value and weights_travel(state):
                q[key] = pack_weights(state.network)
            continue
        if owner is state:
            default = base.get(name, p.default)
        else:
            default = owner.reading_default(name) if hasattr(owner, "reading_default") else p.default
        if value == default:
            continue
        q[key] = write_value(p, value)
    return q


def read(state, args: dict) -> list:
    """Apply query values to the state (network first, then settings, the view last); return refusals."""
    known = {key: (owner, name, p) for key, owner, name, p in fields(state)}
    given, refused = {}, []
    for key, raw in args.items():
        if key not in known:
            continue                          # foreign parameters (e.g. a tracker's) are not ours
        text = first(raw)
        if text is None:
            continue
        if len(text) > MAX_VALUE_CHARS:
            refused.append(f"{key}: {len(text):,} characters is too long")
            continue
        given[key] = text

    def attempt(key, ok):
        if not ok:
            refused.append(f"{key}: {state.message}")

    def decoded(key):
        try:
            return read_value(known[key][2], given[key], key)
        except ValueError as exc:
            refused.append(str(exc))
            return None

    for key in NETWORK_ORDER:
        if key not in given:
            if key == "seed" and state.preset == "custom" and not state.custom_weights:
                state.set_seed(state.seed)    # a custom network is drawn from its seed
            continue
        if key == "w":                       # the weights' own codec: packed float32
            try:
                W, b = unpack_weights(given[key], state.network.sizes)
            except ValueError as exc:
                refused.append(f"w: {exc}")
                continue
            attempt(key, state.set_weights(W, b))
            continue
        value = decoded(key)
        if value is None:
            continue
        setter = {"preset": state.apply_preset, "sizes": state.set_sizes, "activation": state.set_activations,
                  "output": state.set_output, "x": state.set_input}.get(key)
        if key == "seed":
            attempt(key, state.set_seed(value) if state.preset == "custom" else True)
        else:
            attempt(key, setter(value))
    place = {key: i for i, key in enumerate(known)}
    # Settings in their declaration order whatever the link's (a problem before its number of points),
    # the view last.
    for key in sorted(given, key=lambda k: (k == "view", place[k])):
        owner, name, p = known[key]
        if key in NETWORK_ORDER:
            continue
        value = decoded(key)
        if value is None:
            continue
        try:
            setattr(owner, name, value)
        except ValueError as exc:
            refused.append(f"{key}: {parse.clip(exc, 120)}")
    state.message = "; ".join(refused)
    return refused


def keywords(state, values: dict) -> dict:
    """Python keywords as the query values read() takes: `sizes=(2, 3, 1)`, `activation="tanh"` (the link's
    names, or the parameters' own such as `activations`), a settings group as a dict (`train={"lr": 0.03}`).
    A name the state does not have is a TypeError; the values are checked by read(), as a link's are."""
    known = {}
    for key, owner, name, p in fields(state):
        if (p.metadata or {}).get("codec") != "weights":
            known[key] = p
            if owner is state:
                known.setdefault(name, p)
    key_of = {name: key for key, owner, name, _ in fields(state) if owner is state}
    groups = {key.split(".")[0] for key in known if "." in key}
    flat = {}
    for name, value in values.items():
        if name in groups and isinstance(value, dict):
            flat.update({f"{name}.{sub}": v for sub, v in value.items()})
        else:
            flat[name] = value
    q = {}
    for name, value in flat.items():
        if name not in known:
            raise TypeError(f"unknown setting {name!r}; the settings are {', '.join(sorted(k for k in known))}")
        p = known[name]
        if isinstance(value, str) or value is None:
            text = value
        else:
            if isinstance(p, param.List) and not isinstance(value, (list, tuple)):
                value = np.atleast_1d(value).tolist()      # a NumPy vector, or one number for x
            try:
                text = write_value(p, list(value) if isinstance(value, tuple) else value)
            except (TypeError, ValueError):
                text = str(value)                          # read() refuses it with its own words
        q[key_of.get(name, name)] = text
    return q


def snapshot(state) -> dict:
    """Every linked value, with the weights as float32: equal snapshots mean the same state."""
    out = {}
    for key, owner, name, p in fields(state):
        out[key] = getattr(owner, name)
    out["weights"] = [np.asarray(m, dtype=np.float32).tolist() for m in [*state.network.W, *state.network.b]]
    return out


def first(v):
    """A query value as text (Panel gives lists of bytes)."""
    if isinstance(v, (list, tuple)):
        v = v[0] if v else None
    if isinstance(v, bytes):
        v = v.decode("utf-8", "replace")
    return v
