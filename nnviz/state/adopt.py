"""Making a session's state the one another session's link describes, changing only what differs.

A follower's page takes its teacher's state this way (param only, no Panel). A link names only values that
differ from what reading gives without them, so a value missing now but given before went back to its
default, and reading the new link alone would keep the old value: `adopt` compares the link with the one
it adopted before. The two update tiers stay: a new input is only a new input, new weights of the same
network are written in place (training frames restyle the picture, they do not rebuild it), and only a
new network (preset, sizes, activations, output, seed) is read afresh as a new page reads it.
"""
from __future__ import annotations

from . import link

NETWORK = set(link.NETWORK_ORDER)
STRUCTURE = NETWORK - {"x", "w"}
OWN = {"present"}             # the page's own display (a phone is not a projector): never adopted


def adopt(state, q: dict, last: dict | None = None) -> list:
    """Make `state` what the link values `q` (as link.write gives them) describe. `last`: the values adopted
    before (None: the state may be anything, adopt everything). Returns the refusals."""
    q = {k: link.first(v) for k, v in q.items() if k not in OWN}       # a parsed query's lists as text
    keys = {key for key, *_ in link.fields(state)} - OWN
    if last is None:
        changed = set(keys)
    else:
        last = {k: link.first(v) for k, v in last.items() if k not in OWN}
        changed = {k for k in keys if q.get(k) != last.get(k)}
    refused = []
    net = changed & NETWORK
    afresh = bool(net & STRUCTURE) or not all(k in q for k in net)     # a value gone back to its default
    if not afresh and "w" in net:
        afresh = not _weights_in_place(state, q)
    if afresh:
        if q.get("preset") in (None, "custom"):
            state.apply_preset("starter")          # as a new page starts; link.read then applies the rest
        refused += link.read(state, {k: q[k] for k in link.NETWORK_ORDER if k in q})
    fields = {key: (owner, name, p) for key, owner, name, p in link.fields(state)}
    if not afresh and "x" in net:                  # (not link.read: it draws a custom network anew from its seed)
        x = _value(fields["x"][2], q["x"], "x", refused)
        if x is not None and not state.set_input(x):
            refused.append(f"x: {state.message}")
    rest = changed - NETWORK
    given = [k for k in fields if k in rest and k in q]
    for key in sorted(given, key=lambda k: k == "view"):    # declaration order (a problem before its points),
        owner, name, p = fields[key]                        # the view last, as link.read applies them
        value = _value(p, q[key], key, refused)
        if value is not None:
            try:
                setattr(owner, name, value)
            except ValueError as exc:
                refused.append(f"{key}: {exc}")
    for key in sorted(rest - set(given)):          # back to what a link without them reads
        owner, name, p = fields[key]
        default = owner.reading_default(name) if hasattr(owner, "reading_default") else p.default
        if getattr(owner, name) != default:
            setattr(owner, name, default)
    state.message = "; ".join(refused)
    return refused


def _value(p, text, key, refused):
    try:
        return link.read_value(p, text, key)
    except ValueError as exc:
        refused.append(str(exc))
        return None


def _weights_in_place(state, q: dict) -> bool:
    """New weights for the network already shown: written into its arrays (False: they do not fit it)."""
    try:
        W, b = link.unpack_weights(q["w"], state.network.sizes)
    except (KeyError, ValueError):
        return False
    for old, new in zip([*state.network.W, *state.network.b], [*W, *b]):
        old[...] = new
    state.weights_changed()
    return True
