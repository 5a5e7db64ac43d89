/**
 * The OpenAPI 3.1 document of the HTTP API, served at /openapi.json and rendered at /docs.
 * A test checks that its paths and methods are exactly the routes the server registers.
 */

const error = { $ref: '#/components/schemas/Error' };
const errorReply = (description: string) => ({ description, content: { 'application/json': { schema: error } } });
const str = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'string', description, ...extra });
const int = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'integer', description, ...extra });
const query = (name: string, schema: Record<string, unknown>) => ({ name, in: 'query', required: false, schema, description: schema.description });

/** The query parameters of POST /v1/colorize (the CLI's options). */
export const COLORIZE_PARAMETERS = [
  query('method', str('colorization method: model, gray, lut, ct-tissue, transfer, welsh, kmeans, scribble (default: model with the default shipped model)')),
  query('model', str('shipped model name (see GET /v1/models); implies method=model')),
  query('format', str('output: png (default; a multi-frame input gives a ZIP of PNGs unless frame is set), dcm (DICOM Secondary Capture RGB), nii (NIfTI RGB24, NIfTI inputs only)', { enum: ['png', 'dcm', 'nii'] })),
  query('frame', str('0-based frame of a multi-frame DICOM / slice of a NIfTI volume, or all (default)')),
  query('window', str('VOI window CENTER,WIDTH in the units of the data, e.g. 40,400')),
  query('palette', str('palette for lut (built-in name)')),
  query('size', int('working size the method runs at (0 = full size)', { minimum: 0 })),
  query('seed', int('seed for welsh and kmeans', { minimum: 0 })),
  query('confidence', str('true: also return the per-pixel confidence map (docs/trust.md) as colorized.confidence.png (8-bit gray, 255 = sure) or, with format=dcm, colorized.confidence.dcm (a grayscale Secondary Capture in its own series); the reply is then a ZIP; header x-medcolor-confidence gives the mean', { enum: ['true', 'false', '1', '0'] })),
  query('min-confidence', { type: 'number', minimum: 0, maximum: 1, description: 'fade chroma to gray where the confidence is below this (full color at it and above, gray at half of it and below); L* never changes' }),
  query('strict', str("true: refuse an input outside the model's domain (422 ERR_OUT_OF_DOMAIN) instead of colorizing it with the warning WARN_OUT_OF_DOMAIN (x-medcolor-warnings)", { enum: ['true', 'false', '1', '0'] })),
  query('decode', str('a classification-head model: mean or annealed-mean (default) of the predicted a*b* distribution; a both-head model uses its regression output unless this is given', { enum: ['mean', 'annealed-mean'] })),
  query('temperature', { type: 'number', exclusiveMinimum: 0, description: 'temperature of the annealed mean (default 0.38; lower = more vivid)' }),
];

/** The OpenAPI 3.1 document. */
export function buildOpenApiDocument(version: string): Record<string, unknown> {
  const auth = [{ bearer: [] }];
  return {
    openapi: '3.1.0',
    info: {
      title: 'medcolor',
      version,
      description:
        'Colorize grayscale medical images (DICOM, NIfTI, PNG/JPEG/TIFF) with the medcolor library. ' +
        'Luminance is never altered: only chroma is added. Not for diagnosis.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'required when the server was started with --token or --token-file' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['code', 'message'],
          properties: { code: str('stable library error code, e.g. ERR_UNSUPPORTED_FORMAT'), message: str('what was expected and what was found') },
        },
        DicomWebSource: {
          type: 'object',
          required: ['url'],
          properties: {
            url: str('DICOMweb root, e.g. http://pacs:8042/dicom-web'),
            study: str('Study Instance UID'),
            series: str('Series Instance UID'),
            query: str('QIDO-RS query of studies, e.g. PatientID=123&Modality=CT'),
            user: str('basic auth user'),
            password: str('basic auth password'),
            bearer: str('bearer token for the PACS'),
          },
        },
        JobRequest: {
          type: 'object',
          properties: {
            inputs: { type: 'array', items: { type: 'string' }, description: 'files, folders or globs below the server\'s --job-root' },
            output: str('output folder below --job-root (file inputs)'),
            dicomweb: { $ref: '#/components/schemas/DicomWebSource' },
            method: str('colorization method'),
            model: str('shipped model name'),
            format: str('png, dcm or nii (file inputs)', { enum: ['png', 'dcm', 'nii'] }),
            strict: { type: 'boolean', description: "refuse inputs outside the model's domain (the item fails with ERR_OUT_OF_DOMAIN) instead of colorizing them with the warning WARN_OUT_OF_DOMAIN" },
            confidence: { type: 'boolean', description: 'also make each output\'s confidence map (docs/trust.md): a file beside it, or for a DICOMweb source a grayscale Secondary Capture series of its own in the same study' },
            minConfidence: { type: 'number', minimum: 0, maximum: 1, description: 'fade chroma to gray where the confidence is below this (full color at it and above, gray at half of it and below)' },
          },
        },
        JobStatus: {
          type: 'object',
          required: ['id', 'state', 'total', 'done', 'failed'],
          properties: {
            id: str('job id'),
            state: str('queued, running, done (all inputs ok), failed (some inputs failed)', { enum: ['queued', 'running', 'done', 'failed'] }),
            total: int('inputs in the job'),
            done: int('inputs done'),
            failed: int('inputs that failed for good (also in the dead-letter list)'),
            items: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  input: str('file or SOP Instance UID'),
                  state: str('queued, running, done, failed, skipped'),
                  attempts: int('attempts made'),
                  outputs: { type: 'array', items: { type: 'string' } },
                  warnings: { type: 'array', items: { type: 'string' }, description: 'what the pipeline warned of, e.g. WARN_OUT_OF_DOMAIN' },
                  code: str('error code when failed'),
                  error: str('error message when failed'),
                },
              },
            },
          },
        },
      },
    },
    paths: {
      '/v1/colorize': {
        post: {
          summary: 'Colorize one image',
          description:
            'The body is one file (DICOM, NIfTI, PNG/JPEG/TIFF/WebP), recognized by its content; or multipart/form-data with a ' +
            '"file" part and optional "reference" (color image for transfer/welsh/kmeans) and "scribbles" (strokes JSON or image) parts. ' +
            'The reply is the encoded result. A multi-frame input with format=png comes as a ZIP of one PNG per frame (name_0000.png, ...) ' +
            'unless frame=N picks one.',
          security: auth,
          parameters: COLORIZE_PARAMETERS,
          requestBody: {
            required: true,
            content: {
              'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
              'application/dicom': { schema: { type: 'string', format: 'binary' } },
              'image/png': { schema: { type: 'string', format: 'binary' } },
              'image/jpeg': { schema: { type: 'string', format: 'binary' } },
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['file'],
                  properties: {
                    file: { type: 'string', format: 'binary' },
                    reference: { type: 'string', format: 'binary' },
                    scribbles: { type: 'string', format: 'binary' },
                  },
                },
              },
            },
          },
          responses: {
            200: {
              description: 'the colorized image',
              content: {
                'image/png': { schema: { type: 'string', format: 'binary' } },
                'application/zip': { schema: { type: 'string', format: 'binary' } },
                'application/dicom': { schema: { type: 'string', format: 'binary' } },
                'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
              },
            },
            400: errorReply('bad parameters (unknown method or model, bad window, missing reference, ...)'),
            401: errorReply('the token is missing or wrong'),
            413: errorReply('the body is larger than --max-body or the image larger than --max-pixels'),
            415: errorReply('the body is not an image medcolor reads'),
            422: errorReply('an image that cannot be decoded or that the method refuses (e.g. ct-tissue without Hounsfield units)'),
            429: errorReply('the queue is full (retry later)'),
            504: errorReply('the work took longer than --timeout'),
          },
        },
      },
      '/v1/models': {
        get: {
          summary: 'Shipped models and their metadata',
          security: auth,
          responses: { 200: { description: 'models', content: { 'application/json': { schema: { type: 'object' } } } }, 401: errorReply('token missing or wrong') },
        },
      },
      '/v1/methods': {
        get: {
          summary: 'Colorization methods',
          security: auth,
          responses: { 200: { description: 'methods', content: { 'application/json': { schema: { type: 'object' } } } }, 401: errorReply('token missing or wrong') },
        },
      },
      '/v1/jobs': {
        post: {
          summary: 'Start a batch job (files below --job-root, or a DICOMweb study/series/query)',
          security: auth,
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/JobRequest' } } } },
          responses: {
            202: { description: 'accepted', content: { 'application/json': { schema: { $ref: '#/components/schemas/JobStatus' } } } },
            400: errorReply('bad job request'),
            401: errorReply('token missing or wrong'),
            503: errorReply('the job queue is not available'),
          },
        },
      },
      '/v1/jobs/{id}': {
        get: {
          summary: 'Status and progress of a job',
          security: auth,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: { description: 'status', content: { 'application/json': { schema: { $ref: '#/components/schemas/JobStatus' } } } },
            401: errorReply('token missing or wrong'),
            404: errorReply('no such job'),
          },
        },
      },
      '/healthz': { get: { summary: 'Liveness: the process answers', responses: { 200: { description: 'ok' } } } },
      '/readyz': {
        get: {
          summary: 'Readiness: 200 while the queue has room, 503 when it is full or the job queue is down',
          responses: { 200: { description: 'ready' }, 503: errorReply('not ready') },
        },
      },
      '/metrics': {
        get: { summary: 'Prometheus metrics', security: auth, responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': {} } } } },
      },
      '/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
      '/docs': { get: { summary: 'Human-readable API documentation', responses: { 200: { description: 'HTML', content: { 'text/html': {} } } } } },
    },
  };
}
