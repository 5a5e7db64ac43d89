/**
 * The VJP rules, one file per op group; importing this module registers all of them
 * (src/nn/index.ts does so). Every rule emits standard ONNX ops (opset 17) that ONNX Runtime's
 * CPU provider runs, and each is checked against central finite differences in
 * test/nn/vjp.test.ts.
 */
import './elementwise.js';
import './shape.js';
import './reductions.js';
import './matmul.js';
import './softmax.js';
import './conv.js';
import './normalization.js';
import './pooling.js';
import './resize.js';
