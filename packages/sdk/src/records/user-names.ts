import { accounts } from '../contract/index.js';
import { type RecordsContext, call } from './records-context.js';
import type { UserRef } from './types.js';

/** Login names of the practice's members (removed ones included), fetched once and on a miss. */
export class UserNames {
  #names: Map<string, string> | undefined;

  constructor(private readonly context: RecordsContext) {}

  async ref(userId: string): Promise<UserRef> {
    if (this.#names?.has(userId) !== true) await this.load();
    return { userId, username: this.#names?.get(userId) ?? '' };
  }

  private async load(): Promise<void> {
    const { members } = await call(this.context, 'GET', '/api/v1/practice/members', accounts.MembersReply);
    this.#names = new Map(members.map((m) => [m.userId, m.username]));
  }
}
