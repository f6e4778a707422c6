import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Request validation: JSON bodies are checked strictly (no type coercion, unknown properties
 * refused where a schema says so); path and query strings are coerced to the declared types.
 * No number may be NaN or Infinity (`strictNumbers`): JSON has neither, but `JSON.parse` turns
 * a literal beyond the double range, such as `1e309`, into Infinity, which ajv's `integer` and
 * `minimum` otherwise accept.
 */
export function registerValidation(app: FastifyInstance): void {
  const common = { useDefaults: true, strict: false, strictNumbers: true, allErrors: false } as const;
  const strictAjv = addFormats(new Ajv({ ...common, coerceTypes: false, removeAdditional: false }));
  const coercingAjv = addFormats(new Ajv({ ...common, coerceTypes: 'array', removeAdditional: false }));
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema),
  );
}
