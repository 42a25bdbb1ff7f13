"""The engine: NumPy only. Must not import Panel, Bokeh or param, and never calls a UI back.

`from nnviz import core` gives the network API in one name (activations, network, losses); the
training, data and preset modules are imported by their own names.
"""
from .activations import (ACTIVATIONS, HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, OUTPUT_RANGES,  # noqa: F401
                          Activation, apply_output, d_gelu, d_leaky_relu, d_linear, d_relu, d_sigmoid, d_silu,
                          d_tanh, gelu, leaky_relu, linear, output_backprop, relu, sigmoid, silu, softmax, tanh)
from .losses import (LOSSES, SHORTCUT_PAIRS, bce, cce, check_loss, d_bce, d_cce, d_mse,  # noqa: F401
                     loss_from_trace, loss_value, mse)
from .network import (MAX_INPUT, MAX_LAYERS, MAX_PARAMS, MAX_WIDTH, Network, Trace, backward,  # noqa: F401
                      collapse, count_params, validate_input, validate_sizes)
