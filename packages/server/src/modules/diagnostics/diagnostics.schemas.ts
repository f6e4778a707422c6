import { type Static, Type } from '@sinclair/typebox';
import { accounts } from '@tresor/sdk/contract';

/** The contract's UUID: plain lowercase 8-4-4-4-12 only (no `urn:uuid:`, no upper case). */
const Uuid = accounts.Uuid;

export const PracticeParams = Type.Object({ practiceId: Uuid });
export const ProbeParams = Type.Object({ practiceId: Uuid, probeId: Uuid });
export const CreateProbeBody = Type.Object(
  { body: Type.String({ minLength: 1, maxLength: 4096 }) },
  { additionalProperties: false },
);
export const ListProbesQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});
export const ProbeView = Type.Object({
  id: Uuid,
  practiceId: Uuid,
  body: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});
export const ProbeList = Type.Object({ probes: Type.Array(ProbeView) });
export type ProbeView = Static<typeof ProbeView>;
