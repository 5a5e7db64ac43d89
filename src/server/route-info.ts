/** GET /v1/models and GET /v1/methods: what the server can do. */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { readModelCard } from '../io/model-card.js';
import { getDefaultModelName, listShippedModels, resolveModelPath } from '../io/model-loader.js';
import { readOnnxMetadata } from '../methods/model.js';
import { listMethods } from '../methods/registry.js';

/** Registers the listing routes. */
export function registerInfoRoutes(app: FastifyInstance): void {
  app.get('/v1/models', async () => {
    const dflt = getDefaultModelName();
    return {
      default: dflt ?? null,
      models: listShippedModels().map((name) => {
        const card = readModelCard(name);
        return {
          name,
          default: name === dflt,
          metadata: readOnnxMetadata(new Uint8Array(readFileSync(resolveModelPath(name)))),
          card: card ? { title: card.title, fields: card.fields } : null,
        };
      }),
    };
  });
  app.get('/v1/methods', async () => ({
    methods: [
      { name: 'model', description: 'the U-Net colorizer (a shipped model, see /v1/models)', needsReference: false },
      ...listMethods().map((m) => ({ name: m.name, description: m.description, needsReference: Boolean(m.needsReference) })),
    ],
  }));
}
