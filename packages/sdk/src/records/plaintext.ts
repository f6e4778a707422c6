import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { InvalidRecordInputError } from '../client-errors.js';

/**
 * Shapes of the plaintext the records client seals: checked before sealing (bad input is refused
 * on the device) and after opening (a decrypted value of the wrong shape is treated as unreadable).
 */

const Text = (maxLength: number) => Type.String({ maxLength });
const Name = Type.String({ minLength: 1, maxLength: 200 });
export const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const PatientMasterSchema = Type.Object(
  {
    givenName: Name,
    familyName: Name,
    birthDate: Type.String({ pattern: ISO_DATE.source }),
    sex: Type.Union([
      Type.Literal('female'),
      Type.Literal('male'),
      Type.Literal('diverse'),
      Type.Literal('unknown'),
    ]),
    address: Type.Optional(
      Type.Object(
        {
          street: Type.Optional(Text(200)),
          postalCode: Type.Optional(Text(20)),
          city: Type.Optional(Text(200)),
        },
        { additionalProperties: false },
      ),
    ),
    contact: Type.Optional(
      Type.Object(
        { phone: Type.Optional(Text(100)), email: Type.Optional(Text(200)) },
        { additionalProperties: false },
      ),
    ),
    insurance: Type.Optional(
      Type.Object(
        {
          kvnr: Type.Optional(Text(20)),
          insurerName: Type.Optional(Text(200)),
          ik: Type.Optional(Text(20)),
          type: Type.Optional(Type.Union([Type.Literal('gkv'), Type.Literal('pkv'), Type.Literal('self')])),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type PatientMaster = Static<typeof PatientMasterSchema>;

export const EntryInputSchema = Type.Union([
  Type.Object(
    { kind: Type.Literal('note'), text: Type.String({ minLength: 1, maxLength: 100_000 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('diagnosis'),
      icd10: Type.String({ pattern: '^[A-Z][0-9]{2}(\\.[0-9A-Z-]{1,4})?[+*!†]?$' }),
      text: Type.String({ maxLength: 10_000 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('medication'),
      name: Type.String({ minLength: 1, maxLength: 500 }),
      dosage: Type.Optional(Type.String({ maxLength: 1000 })),
    },
    { additionalProperties: false },
  ),
]);
export type EntryInput = Static<typeof EntryInputSchema>;

export const DocumentMetaSchema = Type.Object(
  {
    name: Type.String({ maxLength: 1000 }),
    type: Type.String({ maxLength: 255 }),
    size: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type DocumentMeta = Static<typeof DocumentMetaSchema>;

export const DirectoryEntrySchema = Type.Object(
  {
    givenName: Type.String(),
    familyName: Type.String(),
    birthDate: Type.String(),
    kvnr: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type DirectoryEntry = Static<typeof DirectoryEntrySchema>;

/** A real calendar date YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Refuses input the client would otherwise seal: wrong shape or an impossible date of birth.
 * @throws InvalidRecordInputError
 */
export function checkMaster(master: PatientMaster): void {
  if (!Value.Check(PatientMasterSchema, master) || !isIsoDate(master.birthDate)) {
    const first = [...Value.Errors(PatientMasterSchema, master)][0];
    throw new InvalidRecordInputError(
      `invalid patient master data${first === undefined ? ': birthDate' : `: ${first.path} ${first.message}`}`,
    );
  }
}

/** @throws InvalidRecordInputError if the entry is not of the expected shape. */
export function checkEntry(entry: EntryInput): void {
  if (!Value.Check(EntryInputSchema, entry)) {
    const first = [...Value.Errors(EntryInputSchema, entry)][0];
    throw new InvalidRecordInputError(
      `invalid clinical entry${first === undefined ? '' : `: ${first.path} ${first.message}`}`,
    );
  }
}
