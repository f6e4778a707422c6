import { Type } from '@sinclair/typebox';

const Position = (options: { minimum: number; default?: number; description: string }) =>
  Type.Integer({ maximum: Number.MAX_SAFE_INTEGER, ...options });

export const EntriesQuery = Type.Object({
  after: Type.Optional(Position({ minimum: 0, default: 0, description: 'return entries with seq > after' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});

export const CheckpointsQuery = Type.Object({
  after: Type.Optional(
    Position({ minimum: 0, default: 0, description: 'return checkpoints with treeSize > after' }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});

export const ConsistencyQuery = Type.Object({
  from: Position({ minimum: 1, description: 'tree size the client remembers' }),
  to: Position({ minimum: 1, description: 'tree size of the newer checkpoint' }),
});
