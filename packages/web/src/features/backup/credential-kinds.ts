import type { backup } from '@tresor/sdk/contract';
import type { MessageKey } from '../../i18n/messages.de';

type Kind = backup.CredentialView['kind'];

/** The kinds of backup credential, in the order they are offered. */
export const credentialKinds: readonly Kind[] = ['agent', 'retention'];

export const kindLabels: Readonly<Record<Kind, MessageKey>> = {
  agent: 'backup.kindAgent',
  retention: 'backup.kindRetention',
};

/** What each kind may do and where it belongs, in plain words. */
export const kindExplanations: Readonly<Record<Kind, MessageKey>> = {
  agent: 'backup.kindAgentExplain',
  retention: 'backup.kindRetentionExplain',
};
