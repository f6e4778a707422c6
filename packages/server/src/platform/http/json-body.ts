import type { FastifyInstance } from 'fastify';
import { AppError } from '../app-error.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** A `\uD800`–`\uDFFF` escape in JSON text: the only way a surrogate gets into a UTF-8 body. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
/** A surrogate that is not half of a pair (with the `u` flag, a pair is one code point). */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * JSON request bodies, parsed by Fastify's own parser (which refuses `__proto__` and
 * `constructor.prototype`), but only as well-formed Unicode. A body that is not UTF-8 is not JSON
 * (RFC 8259): 400 `request.invalid_json`, where decoding would have replaced the bad bytes with
 * U+FFFD. A string or key with a lone UTF-16 surrogate (`"\ud800"`, a valid JSON escape but not
 * Unicode text) is 400 `request.invalid`: a text column would store U+FFFD instead. Either way,
 * what was stored would not be what was sent, so nothing is stored.
 */
export function registerJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    let text: string;
    try {
      text = UTF8.decode(body);
    } catch {
      done(new AppError('request.invalid_json', 'The request body is not valid JSON: it is not UTF-8.'));
      return;
    }
    // Fastify's JSON parser answers through `done` at once (it returns nothing to await).
    void parseJson(request, text, (error, value) => {
      if (error !== null) done(error);
      else if (SURROGATE_ESCAPE.test(text) && hasLoneSurrogate(value)) {
        done(
          new AppError(
            'request.invalid',
            'Invalid request: a text contains a lone UTF-16 surrogate (such as \\ud800), which is not Unicode text.',
          ),
        );
      } else done(null, value);
    });
  });
}

/** Whether any string or key in a parsed JSON value has a lone surrogate (iterative: any depth). */
function hasLoneSurrogate(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (LONE_SURROGATE.test(next)) return true;
    } else if (Array.isArray(next)) {
      for (const item of next) pending.push(item);
    } else if (typeof next === 'object' && next !== null) {
      for (const [key, item] of Object.entries(next)) {
        if (LONE_SURROGATE.test(key)) return true;
        pending.push(item);
      }
    }
  }
  return false;
}
