/**
 * VJP rules of BatchNormalization (training mode with batch statistics, and inference form) and
 * InstanceNormalization.
 */
import { registerVjp } from '../autodiff.js';
import { getNumberAttr } from '../ir.js';
import type { Tensor } from '../ir.js';
import { mul, mulScalar, reduceMean, reduceSum, reshape, sub } from '../ops.js';

/**
 * BatchNormalization in training mode (batch statistics). Output 0 is normalized with the
 * batch's mean and (biased) variance; outputs 1 and 2 are the running statistics, which carry
 * no gradient. dX = gamma/sigma * (dY - mean(dY) - xhat * mean(dY * xhat)).
 */
registerVjp('BatchNormalization', ({ g, node, inputs: [x, scale], dOut: [dy], needs }) => {
  const eps = getNumberAttr(node.attrs.epsilon, 1e-5);
  const training = getNumberAttr(node.attrs.training_mode, 0) === 1;
  const c = x!.shape[1];
  const bshape = [1, c, ...x!.shape.slice(2).map(() => 1)];
  const axes = [0, ...x!.shape.slice(2).map((_, i) => i + 2)];
  const out: (Tensor | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
  if (!dy) return out;
  if (!training) {
    // Inference form: y = (x - mean) / sqrt(var + eps) * scale + bias with constant stats.
    const [, , , mean, variance] = node.inputs.map((n) => (n ? g.get(n) : undefined));
    const inv = g.op1('Reciprocal', [g.op1('Sqrt', [g.op1('Add', [variance!, g.scalar(eps)])])]);
    const k = reshape(g, mul(g, scale!, inv), bshape);
    if (needs[0]) out[0] = mul(g, dy, k);
    const xhat = mul(g, sub(g, x!, reshape(g, mean!, bshape)), reshape(g, inv, bshape));
    if (needs[1]) out[1] = reduceSum(g, mul(g, dy, xhat), axes, false);
    if (needs[2]) out[2] = reduceSum(g, dy, axes, false);
    // The statistics are constants here, but still differentiable inputs:
    // dmean = -sum(dY) * k; dvar = -1/2 * sum(dY * xhat) * scale / (var + eps).
    if (needs[3]) out[3] = reshape(g, reduceSum(g, g.op1('Neg', [mul(g, dy, k)]), axes, true), [c]);
    if (needs[4]) {
      const dxhatSum = reduceSum(g, mul(g, dy, xhat), axes, true);
      const coef = mulScalar(g, mul(g, reshape(g, scale!, bshape), mul(g, reshape(g, inv, bshape), reshape(g, inv, bshape))), -0.5);
      out[4] = reshape(g, mul(g, dxhatSum, coef), [c]);
    }
    return out;
  }
  const mean = reduceMean(g, x!, axes, true);
  const xc = sub(g, x!, mean);
  const variance = reduceMean(g, mul(g, xc, xc), axes, true);
  const inv = g.op1('Reciprocal', [g.op1('Sqrt', [g.op1('Add', [variance, g.scalar(eps)])])]);
  const xhat = mul(g, xc, inv);
  const dbeta = reduceMean(g, dy, axes, true);
  const dgammaMean = reduceMean(g, mul(g, dy, xhat), axes, true);
  if (needs[0]) {
    const k = mul(g, reshape(g, scale!, bshape), inv);
    out[0] = mul(g, k, sub(g, sub(g, dy, dbeta), mul(g, xhat, dgammaMean)));
  }
  const count = axes.reduce((s, a) => s * x!.shape[a], 1);
  if (needs[1]) out[1] = reshape(g, mulScalar(g, dgammaMean, count), [c]);
  if (needs[2]) out[2] = reshape(g, mulScalar(g, dbeta, count), [c]);
  return out;
});

/**
 * InstanceNormalization: statistics per (n, c) over the spatial axes.
 * dX = scale/sigma * (dY - mean(dY) - xhat * mean(dY * xhat)); dScale = sum(dY * xhat); dB = sum(dY).
 */
registerVjp('InstanceNormalization', ({ g, node, inputs: [x, scale], dOut: [dy], needs }) => {
  const out: (Tensor | undefined)[] = [undefined, undefined, undefined];
  if (!dy) return out;
  const eps = getNumberAttr(node.attrs.epsilon, 1e-5);
  const r = x!.shape.length;
  const c = x!.shape[1];
  const spatial = [...Array(r - 2).keys()].map((i) => i + 2);
  const bshape = [1, c, ...spatial.map(() => 1)];
  const mean = reduceMean(g, x!, spatial, true);
  const xc = sub(g, x!, mean);
  const variance = reduceMean(g, mul(g, xc, xc), spatial, true);
  const inv = g.op1('Reciprocal', [g.op1('Sqrt', [g.op1('Add', [variance, g.scalar(eps)])])]);
  const xhat = mul(g, xc, inv);
  const dyXhat = mul(g, dy, xhat);
  if (needs[0]) {
    const k = mul(g, reshape(g, scale!, bshape), inv);
    const centered = sub(g, sub(g, dy, reduceMean(g, dy, spatial, true)), mul(g, xhat, reduceMean(g, dyXhat, spatial, true)));
    out[0] = mul(g, k, centered);
  }
  if (needs[1]) out[1] = reduceSum(g, dyXhat, [0, ...spatial], false);
  if (needs[2]) out[2] = reduceSum(g, dy, [0, ...spatial], false);
  return out;
});
