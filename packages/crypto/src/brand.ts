declare const brand: unique symbol;

/**
 * Nominal typing for keys and ids: a `Brand<Uint8Array, 'PracticeKey'>` cannot be passed
 * where a `Brand<Uint8Array, 'UserKey'>` is expected, although both are bytes at run time.
 */
export type Brand<T, Name extends string> = T & { readonly [brand]: Name };
