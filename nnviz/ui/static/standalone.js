// The forward pass of a self-contained nnviz page (nnviz/ui/standalone.py), run by BokehJS as a CustomJS
// callback whenever an input slider moves. It mirrors nnviz/core (network.py's forward, activations.py's
// table), nnviz/encode/notation.py's fmt, labels.py's hover texts and colours.py's fills, so the page's
// `nodes` source holds the numbers the engine would give (to double precision).
//
// args: nodes, all_nodes (every neuron's layer, unit, z, a), sliders, sizes, W (W[l-1] flat, row-major (n_out, n_in) as in the engine), b,
//       acts (name per weight layer 1..L, the output's last), symbols (how hovers write each),
//       leak, fan_in (FORMULA_FAN_IN), mappers and spans ([input, hidden, output] colour bars and the
//       open-ended range of each), palette, shown (rows whose value label has room), describe (the Div
//       that holds the page as text for screen readers, labels.py describe_html)

// erfc(u) for u >= 0 to double precision (JavaScript has no erf): below 3 a series of positive terms,
// erf(u) = 2/sqrt(pi) e^{-u^2} sum_n (2u^2)^n u / (1*3*...*(2n+1)); from 3 on the continued fraction
// erfc(u) = e^{-u^2}/sqrt(pi) / (u + (1/2)/(u + 1/(u + (3/2)/(u + ...)))), evaluated from its tail.
function erfc_pos(u) {
  if (u < 3) {
    const t = 2 * u * u
    let term = u, sum = u
    for (let n = 1; n < 500 && term > 1e-17 * sum; n++) {
      term *= t / (2 * n + 1)
      sum += term
    }
    return 1 - 2 / Math.sqrt(Math.PI) * Math.exp(-u * u) * sum
  }
  let f = u
  for (let k = 120; k >= 1; k--)
    f = u + (k / 2) / f
  return Math.exp(-u * u) / Math.sqrt(Math.PI) / f
}

// Standard normal CDF; the lower tail straight from erfc so tiny values stay exact (as the engine does).
function Phi(z) {
  const tail = 0.5 * erfc_pos(Math.abs(z) / Math.SQRT2)
  return z < 0 ? tail : 1 - tail
}

function sigmoid(z) {      // from e^-|z|, so that +-1000 never overflows
  const e = Math.exp(-Math.abs(z))
  return z >= 0 ? 1 / (1 + e) : e / (1 + e)
}

// One entry per activation of nnviz/core/activations.py (standalone.py checks that none is missing).
const F = {
  sigmoid: sigmoid,
  tanh: Math.tanh,
  relu: (z) => Math.max(z, 0),
  leaky_relu: (z) => (z > 0 ? z : leak * z),
  gelu: (z) => z * Phi(z),
  silu: (z) => z * sigmoid(z),
  linear: (z) => z,
}

function softmax(z) {      // shifted by the max so nothing overflows
  let m = -Infinity
  for (const v of z) m = Math.max(m, v)
  const e = z.map((v) => Math.exp(v - m))
  let s = 0
  for (const v of e) s += v
  return e.map((v) => v / s)
}

// z[l] and a[l] for l = 0..L: z = W a + b (W[l] is (n_out, n_in)), a = f(z); z[0] is null, a[0] = x.
function forward(x) {
  const L = sizes.length - 1
  const zs = [null], avs = [Float64Array.from(x)]
  for (let l = 1; l <= L; l++) {
    const n_in = sizes[l - 1], n_out = sizes[l], Wl = W[l - 1], bl = b[l - 1], prev = avs[l - 1]
    const z = new Float64Array(n_out)
    for (let i = 0; i < n_out; i++) {
      let s = 0
      for (let j = 0; j < n_in; j++) s += Wl[i * n_in + j] * prev[j]
      z[i] = s + bl[i]
    }
    const name = acts[l - 1]
    zs.push(z)
    avs.push(l === L && name === "softmax" ? softmax(z) : z.map(F[name]))
  }
  return [zs, avs]
}

// nnviz/encode/notation.py fmt: 0.931, -4, 2.6, 1.20e-05; NaN and infinity spelled out.
function fmt(v) {
  if (Number.isNaN(v)) return "NaN"
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞"
  const m = Math.abs(v)
  if (m === 0) return "0"
  if (m >= 1e4 || m < 1e-3) {
    const [mant, exp] = v.toExponential(2).split("e")
    const n = parseInt(exp, 10)
    return mant + "e" + (n < 0 ? "-" : "+") + String(Math.abs(n)).padStart(2, "0")
  }
  const s = v.toFixed(3).replace(/0+$/, "").replace(/\.$/, "")
  return s === "-0" ? "0" : s
}

// Python's '{:.6g}': six significant digits, trailing zeros dropped, an exponent below 1e-4 or from 1e6.
function g6(v) {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : (v > 0 ? "inf" : "-inf")
  if (v === 0) return Object.is(v, -0) ? "-0" : "0"
  const e = Math.floor(Math.log10(Math.abs(Number(v.toPrecision(6)))))
  if (e < -4 || e >= 6) {
    const [mant, exp] = v.toExponential(5).split("e")
    const n = parseInt(exp, 10)
    return mant.replace(/\.?0+$/, "") + "e" + (n < 0 ? "-" : "+") + String(Math.abs(n)).padStart(2, "0")
  }
  return v.toFixed(Math.max(5 - e, 0)).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "")
}

const escape = (t) => String(t).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
  .replace(/"/g, "&quot;").replace(/'/g, "&#x27;")

function describe_html(z, a) {                // labels.py describe_html, for the rows of `nodes`
  const out = avs[avs.length - 1]
  let k = 0
  for (let i = 1; i < out.length; i++) if (out[i] > out[k]) k = i
  const shown = Array.from(out.slice(0, 10), (v, i) => "unit " + i + " a = " + fmt(v))
  const summary = "Network " + sizes.join("-") + ". Output: " + shown.join(", ") +
    (out.length > 1 ? "; largest: unit " + k + "." : ".")
  const rows = []
  for (let i = 0; i < nodes.data.name.length; i++)
    rows.push("<tr><th scope='row'>" + escape(nodes.data.name[i]) + "</th><td>" +
              (nodes.data.layer[i] === 0 ? "" : g6(z[i])) + "</td><td>" + g6(a[i]) + "</td></tr>")
  return "<section aria-label='The network as text'><p aria-live='polite'>" + escape(summary) + "</p>" +
    "<table><caption>Every drawn neuron: weighted sum z and activation a</caption>" +
    "<tr><th scope='col'>neuron</th><th scope='col'>z</th><th scope='col'>a</th></tr>" + rows.join("") +
    "</table></section>"
}

const paren = (v) => (v >= 0 ? fmt(v) : "(" + fmt(v) + ")")

function z_formula(l, u, prev, bias, z) {      // labels.py z_formula
  const n_in = sizes[l - 1]
  if (n_in <= fan_in) {
    const terms = []
    for (let j = 0; j < n_in; j++) terms.push(paren(W[l - 1][u * n_in + j]) + "×" + paren(prev[j]))
    return "z = " + terms.join(" + ") + " + " + paren(bias) + " = " + fmt(z)
  }
  return "z = Σ w·a over " + n_in + " inputs + " + fmt(bias) + " = " + fmt(z)
}

function a_formula(l, u, z, a) {              // labels.py a_formula
  const name = acts[l - 1]
  if (name === "linear") return "a = z = " + fmt(a)
  if (name === "softmax") return "a = softmax(z)[" + u + "] = " + fmt(a)
  return "a = " + symbols[l - 1] + "(" + fmt(z) + ") = " + fmt(a)
}

// colours.py value_range: the span's fixed range, an open end closed by the current values.
function value_range(span, vals) {
  let [lo, hi] = span
  let m = 1
  for (const v of vals) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v))
  if (hi === Infinity) hi = m
  if (lo === -Infinity) {
    lo = -Math.max(m, Math.abs(hi))
    hi = Math.max(hi, -lo)
  }
  return [lo, hi]
}

function colour(v, lo, hi) {                  // colours.py colours, one value
  if (Number.isNaN(v) || v === -Infinity) v = lo
  if (v === Infinity) v = hi
  const t = Math.min(Math.max((v - lo) / (hi > lo ? hi - lo : 1), 0), 1)
  return palette[Math.min(Math.floor(t * palette.length), palette.length - 1)]
}

const [zs, avs] = forward(sliders.map((s) => s.value))
const L = sizes.length - 1
const layer = nodes.data.layer, unit = nodes.data.unit, n = layer.length
const z = new Float64Array(n), a = new Float64Array(n)
const label = [], formula = [], afx = [], fill = new Array(n)
for (let i = 0; i < n; i++) {
  const l = layer[i], u = unit[i]
  a[i] = avs[l][u]
  label.push(shown[i] ? fmt(a[i]) : "")
  if (l === 0) {
    z[i] = NaN
    formula.push("input x" + (u + 1) + " = " + fmt(a[i]))
    afx.push("a = x (inputs pass through unchanged)")
    continue
  }
  z[i] = zs[l][u]
  formula.push(z_formula(l, u, avs[l - 1], b[l - 1][u], z[i]))
  afx.push(a_formula(l, u, z[i], a[i]))
}
// Fills per span (inputs, every hidden layer, output) on its range; the colour bars follow.
for (let k = 0; k < 3; k++) {
  const rows = []
  for (let i = 0; i < n; i++)
    if ((k === 0 && layer[i] === 0) || (k === 1 && layer[i] > 0 && layer[i] < L) || (k === 2 && layer[i] === L))
      rows.push(i)
  if (!rows.length) continue
  const [lo, hi] = value_range(spans[k], rows.map((i) => a[i]))
  for (const i of rows) fill[i] = colour(a[i], lo, hi)
  mappers[k].setv({low: lo, high: hi})
}
nodes.data = {...nodes.data, z, a, label, formula, afx, fill}
describe.text = describe_html(z, a)
const every_z = [], every_a = []
for (let l = 0; l <= L; l++)
  for (let u = 0; u < sizes[l]; u++) {
    every_z.push(l === 0 ? NaN : zs[l][u])
    every_a.push(avs[l][u])
  }
all_nodes.data = {...all_nodes.data, z: new Float64Array(every_z), a: new Float64Array(every_a)}
