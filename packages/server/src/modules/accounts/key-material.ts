import type { accounts } from '@tresor/sdk/contract';
import type { AccountsTx } from './accounts.store.js';
import type { User } from './accounts.types.js';

/** What a signed-in client needs to unlock its keys: all wrapped, nothing the server can open. */
export async function keyMaterialFor(
  tx: AccountsTx,
  user: User,
  currentPkVersion: number,
): Promise<accounts.KeyMaterial> {
  const grants = await tx.grantsFor(user.id);
  return keyMaterialFrom(
    user,
    currentPkVersion,
    grants.map((g) => g.body),
  );
}

/** The same from grant bodies already read (oldest version first). */
export function keyMaterialFrom(
  user: Pick<User, 'userKeyByPassword' | 'privateKeys' | 'trustedGranters'>,
  currentPkVersion: number,
  grantBodies: readonly unknown[],
): accounts.KeyMaterial {
  return {
    userKeyByPassword: user.userKeyByPassword as accounts.KeyMaterial['userKeyByPassword'],
    privateKeys: user.privateKeys as accounts.KeyMaterial['privateKeys'],
    currentPkVersion,
    grants: grantBodies as accounts.GrantBody[],
    ...(user.trustedGranters === null
      ? {}
      : { trustedGranters: user.trustedGranters as accounts.KeyMaterial['userKeyByPassword'] }),
  };
}
