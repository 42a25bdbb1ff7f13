"""Every tab of nnviz, in order: (key, title, View). A View is built from the session state alone.

A new tab is one module here plus one row below; `?view=KEY` opens it.
"""
from . import activations, approximation, depth, digits, forward, linearity, network, neuron, params, pitfalls, training

VIEWS = [
    ("network", "Network", network.NetworkView),
    ("neuron", "Single neuron", neuron.NeuronLab),
    ("forward", "Forward pass", forward.ForwardView),
    ("activations", "Activations", activations.ActivationsView),
    ("linearity", "Why non-linear", linearity.LinearityView),
    ("params", "Parameters", params.ParamsView),
    ("approximation", "Approximation", approximation.ApproximationView),
    ("depth", "Depth", depth.DepthView),
    ("pitfalls", "Pitfalls", pitfalls.PitfallsView),
    ("train", "Training", training.TrainingView),
    ("digits", "Digits", digits.DigitsView),
]
