"""The training points' class colours: their own hues (not the weights', not the activations'), told apart
by lightness too, and the ones the tab draws and names in its legend."""
import numpy as np
import pytest

from nnviz.encode import colours
from nnviz.ui.app import App

PLAYGROUND = {"view": "train", "preset": "custom", "sizes": "2,4,2,1", "activation": "tanh", "output": "tanh"}


def lab(hex_colour):
    """CIELAB (D65) of an sRGB hex colour."""
    rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
    rgb = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ rgb
    f = np.cbrt(xyz / [0.95047, 1.0, 1.08883])
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def hue(hex_colour):
    _, a, b = lab(hex_colour)
    return float(np.degrees(np.arctan2(b, a)) % 360), float(np.hypot(a, b))


def hue_gap(h1, h2):
    return abs((h1 - h2 + 180) % 360 - 180)


CLASSES = [colours.CLASS_POS, colours.CLASS_NEG]


def test_class_colours_are_distinct_and_in_neither_palette():
    assert len(set(CLASSES)) == 2
    for c in CLASSES:
        assert c not in colours.DIVERGING and c not in colours.ACTIVATION and c not in colours.SEQUENTIAL


@pytest.mark.parametrize("palette", ["DIVERGING", "ACTIVATION"])
def test_class_colours_share_no_hue_with_the_weights_or_the_activations(palette):
    for c in CLASSES:
        h, chroma = hue(c)
        assert chroma > 20                                      # a real colour, not a grey
        gaps = [hue_gap(h, ph) for ph, pc in map(hue, getattr(colours, palette)) if pc > 10]
        assert min(gaps) > 45, (c, palette, min(gaps))


def test_the_classes_differ_in_lightness_so_no_colour_vision_is_needed():
    L_pos, L_neg = lab(colours.CLASS_POS)[0], lab(colours.CLASS_NEG)[0]
    assert L_pos - L_neg > 20                                   # +1 is the lighter, as brighter is larger


def test_the_tab_draws_and_names_the_class_colours():
    tv = App(query=PLAYGROUND).view("train")
    d = tv.trainer.data
    assert tv.points.data["color"] == [colours.CLASS_POS if y > 0 else colours.CLASS_NEG for y in d.y_train]
    assert set(tv.tests.data["color"]) == set(CLASSES)
    assert colours.CLASS_POS in tv.legend.object and colours.CLASS_NEG in tv.legend.object
    assert "class +1" in tv.legend.object
    for c in colours.DIVERGING:
        assert c not in tv.points.data["color"]
    tv.settings.problem = "plane"
    assert "target &gt; 0" in tv.legend.object or "target > 0" in tv.legend.object
