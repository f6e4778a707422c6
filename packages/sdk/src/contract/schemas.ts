import { type Static, Type } from '@sinclair/typebox';

/** The body of every error response. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, e.g. request.invalid' }),
      message: Type.String({ description: 'Human-readable explanation (English)' }),
      requestId: Type.Optional(Type.String()),
    }),
  },
  { $id: 'ErrorBody' },
);
export type ErrorBody = Static<typeof ErrorBody>;

export const Health = Type.Object({ status: Type.Literal('ok') });
export type Health = Static<typeof Health>;

export const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  database: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
  migrations: Type.Union([Type.Literal('current'), Type.Literal('pending')]),
});
export type Readiness = Static<typeof Readiness>;

export const ServerInfo = Type.Object({
  name: Type.String(),
  version: Type.String(),
  storage: Type.Union([Type.Literal('embedded'), Type.Literal('postgresql')]),
  schemaVersion: Type.String({ description: 'Name of the newest applied migration' }),
});
export type ServerInfo = Static<typeof ServerInfo>;
