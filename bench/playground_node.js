// TensorFlow Playground's own engine on its default task, timed the way bench/training.py times nnviz.
//
//     node bench/playground_node.js NN_JS [SECONDS]
//
// NN_JS is Playground's src/nn.ts compiled to CommonJS (bench/versus_playground.py does that); this file
// holds only the driver, written after the Playground's oneStep() and getLoss(): circle data, 250 training
// and 250 test points, a 2-4-2-1 tanh network, squared error, batch 10, learning rate 0.03, no penalty.
// Prints one JSON line: epochs per second with the losses computed every epoch and every 100 epochs.
"use strict";
const nn = require(require("path").resolve(process.argv[2]));
const seconds = Number(process.argv[3] || 0.5);

function circle(n) {           // the Playground's classifyCircleData with no noise
  const points = [], radius = 5;
  for (const [lo, hi] of [[0, radius * 0.5], [radius * 0.7, radius]]) {
    for (let i = 0; i < n / 2; i++) {
      const r = lo + Math.random() * (hi - lo), angle = Math.random() * 2 * Math.PI;
      const x = r * Math.sin(angle), y = r * Math.cos(angle);
      points.push({x, y, label: Math.hypot(x, y) < radius * 0.5 ? 1 : -1});
    }
  }
  for (let i = points.length - 1; i > 0; i--) {      // shuffled once, as the Playground's data
    const j = Math.floor(Math.random() * (i + 1));
    [points[i], points[j]] = [points[j], points[i]];
  }
  return points;
}

const data = circle(500), train = data.slice(0, 250), test = data.slice(250);
const network = nn.buildNetwork([2, 4, 2, 1], nn.Activations.TANH, nn.Activations.TANH, null, ["x", "y"]);

function loss(points) {
  let sum = 0;
  for (const p of points) sum += nn.Errors.SQUARE.error(nn.forwardProp(network, [p.x, p.y]), p.label);
  return sum / points.length;
}

function epoch(record) {       // the Playground's oneStep()
  train.forEach((p, i) => {
    nn.forwardProp(network, [p.x, p.y]);
    nn.backProp(network, p.label, nn.Errors.SQUARE);
    if ((i + 1) % 10 === 0) nn.updateWeights(network, 0.03, 0);
  });
  return record ? [loss(train), loss(test)] : null;
}

function rate(every, repeats = 5) {  // best of `repeats` stretches of about `seconds`, after a warm-up
  for (let i = 0; i < 200; i++) epoch(true);
  let best = 0;
  for (let r = 0; r < repeats; r++) {
    let n = 0;
    const t0 = process.hrtime.bigint();
    let dt = 0;
    while (dt < seconds) {
      for (let i = 1; i <= every; i++) epoch(i === every);
      n += every;
      dt = Number(process.hrtime.bigint() - t0) / 1e9;
    }
    best = Math.max(best, n / dt);
  }
  return best;
}

const every1 = rate(1), every100 = rate(100);
console.log(JSON.stringify({"every epoch": every1, "every 100 epochs": every100, "test_loss": loss(test)}));
