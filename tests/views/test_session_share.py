"""The server-wide training budget: sessions that train share it; silent ones drop out."""
from nnviz.ui import session


def test_budget_is_split_between_training_sessions():
    share = session.CpuShare(0.024)
    assert share.share("a", 0.0) == 0.024
    assert share.share("b", 0.01) == 0.012
    assert share.share("c", 0.02) == 0.008                     # three train: a third each
    share.leave("c")
    assert share.share("a", 0.05) == 0.012
    assert share.share("a", 5.0) == 0.024                      # b went quiet (its tab paused or closed)


def test_outside_a_server_a_session_counts_as_connected():
    assert session.connected() is True
    assert session.cpu_share(0.025) is session.cpu_share(0.025)  # one per process
