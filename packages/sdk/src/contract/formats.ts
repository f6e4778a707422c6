import { FormatRegistry, type StringOptions, Type } from '@sinclair/typebox';

/**
 * A UUID in the plain 8-4-4-4-12 lowercase hex form: the one PostgreSQL's uuid type gives back,
 * so an id compares equal to itself after a round trip (the server's tenant and audit code
 * refuse other spellings). The format `uuid` of ajv-formats also passes uppercase and
 * `urn:uuid:…`, so every uuid schema carries this pattern too.
 */
export const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const UUID = new RegExp(UUID_PATTERN);
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A UUID string schema (format `uuid`, plain form only). */
export const uuid = (options: StringOptions = {}) =>
  Type.String({ ...options, format: 'uuid', pattern: UUID_PATTERN });

/** Teaches TypeBox's `Value.Check` the string formats the contract uses (idempotent). */
export function registerContractFormats(): void {
  if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (value) => UUID.test(value));
  if (!FormatRegistry.Has('date-time')) {
    FormatRegistry.Set('date-time', (value) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)));
  }
}
