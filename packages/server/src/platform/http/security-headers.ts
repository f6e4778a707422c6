import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * Strict security headers for every response: a same-origin content security policy with no
 * inline script or style, no framing, no referrer, and HSTS when served over TLS.
 *
 * `'wasm-unsafe-eval'` lets the page compile WebAssembly (the OPAQUE client with its Argon2id
 * runs as WebAssembly in the browser); unlike `'unsafe-eval'` it does not allow `eval()`,
 * `new Function()` or string timers, so script injection stays blocked.
 */
const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

const HSTS = { maxAge: 31536000, includeSubDomains: true } as const;

/** Sets the headers on every response that goes through the request lifecycle (helmet). */
export async function registerSecurityHeaders(app: FastifyInstance, tls: boolean): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: Object.fromEntries(
        Object.entries(CSP_DIRECTIVES).map(([name, values]) => [name, [...values]]),
      ),
    },
    hsts: tls ? HSTS : false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
}

/**
 * The security headers of answers written before any hook runs (a malformed URL or malformed
 * HTTP, answered with a JSON error): the same policy, set by hand because helmet never sees them.
 */
export function errorAnswerSecurityHeaders(tls: boolean): Readonly<Record<string, string>> {
  return {
    'content-security-policy': Object.entries(CSP_DIRECTIVES)
      .map(([name, values]) => `${name} ${values.join(' ')}`)
      .join(';'),
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'SAMEORIGIN',
    ...(tls && { 'strict-transport-security': `max-age=${HSTS.maxAge}; includeSubDomains` }),
  };
}
