/**
 * Builds tiny ONNX models that follow the medcolor model contract, with outputs a test can
 * predict exactly: a 1x1 Conv (1 -> 2 channels, fixed weights and bias) followed by Tanh.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Parameters of the fixture model: ab_c = tanh(w_c * (L/50 - 1) + b_c). */
export interface FixtureModelOptions {
  weights?: [number, number];
  bias?: [number, number];
  metadata?: Record<string, string>;
  inputName?: string;
  /** Fixed input/output dimensions [N, H, W] instead of symbolic ones. */
  fixedDims?: [number, number, number];
}

export const FIXTURE_WEIGHTS: [number, number] = [0.5, -0.25];
export const FIXTURE_BIAS: [number, number] = [0.1, 0.2];

/** Serialized ONNX bytes of the fixture model. */
export function buildFixtureModel(options: FixtureModelOptions = {}): Uint8Array {
  const w = options.weights ?? FIXTURE_WEIGHTS;
  const b = options.bias ?? FIXTURE_BIAS;
  const inputName = options.inputName ?? 'L';
  const f = options.fixedDims;
  const dims = (c: number) =>
    f
      ? [{ dimValue: f[0] }, { dimValue: c }, { dimValue: f[1] }, { dimValue: f[2] }]
      : [{ dimParam: 'N' }, { dimValue: c }, { dimParam: 'H' }, { dimParam: 'W' }];
  const tensorType = (c: number) => ({
    tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims(c) } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'medcolor-test',
    opsetImport: [{ domain: '', version: 17 }],
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'fixture',
      input: [{ name: inputName, type: tensorType(1) }],
      output: [{ name: 'ab', type: tensorType(2) }],
      initializer: [
        { name: 'W', dims: [2, 1, 1, 1], dataType: onnx.TensorProto.DataType.FLOAT, floatData: w },
        { name: 'B', dims: [2], dataType: onnx.TensorProto.DataType.FLOAT, floatData: b },
      ],
      node: [
        { opType: 'Conv', input: [inputName, 'W', 'B'], output: ['conv'], name: 'conv' },
        { opType: 'Tanh', input: ['conv'], output: ['ab'], name: 'tanh' },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** What the fixture model predicts for one L* value: [a*, b*]. */
export function predictFixture(L: number, scale = 110, options: FixtureModelOptions = {}): [number, number] {
  const w = options.weights ?? FIXTURE_WEIGHTS;
  const b = options.bias ?? FIXTURE_BIAS;
  const x = L / 50 - 1;
  return [Math.tanh(w[0] * x + b[0]) * scale, Math.tanh(w[1] * x + b[1]) * scale];
}
