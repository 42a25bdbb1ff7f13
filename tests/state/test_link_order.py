"""The training's example order travels in the link like every other setting."""
from urllib.parse import parse_qs, urlencode

from nnviz.state import link
from nnviz.state.session import SessionState
from nnviz.ui.views import VIEWS

VIEW_KEYS = [k for k, _, _ in VIEWS]


def test_example_order_round_trips_and_the_default_is_not_written():
    st = SessionState(views=VIEW_KEYS)
    assert st.train.order == "shuffled" and "train.order" not in link.write(st)
    st.train.order = "playground"
    assert link.write(st)["train.order"] == "playground"
    other = SessionState(views=VIEW_KEYS)
    assert link.read(other, parse_qs(urlencode(link.write(st)))) == []
    assert other.train.order == "playground"
    assert link.write(other) == link.write(st)


def test_an_unknown_order_is_refused_and_the_rest_applies():
    st = SessionState(views=VIEW_KEYS)
    refused = link.read(st, {"train.order": ["sorted"], "train.batch_size": ["3"]})
    assert len(refused) == 1 and "not one of" in refused[0]
    assert st.train.order == "shuffled" and st.train.batch_size == 3
