import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Translate } from '../../i18n/i18n';
import { messagesDe } from '../../i18n/messages.de';
import { messagesEn } from '../../i18n/messages.en';
import { auditActionLabel, auditProblemLabel } from './audit-labels';

const tDe: Translate = (key) => messagesDe[key];
const tEn: Translate = (key) => messagesEn[key];

/** Every action the server writes (grep `action:` in packages/server/src). */
const serverActions = [
  'auth.login_succeeded',
  'auth.login_failed',
  'auth.logout',
  'auth.alarm',
  'auth.password_changed',
  'auth.recovered',
  'auth.recovery_failed',
  'auth.totp_enrolled',
  'auth.passkey_added',
  'auth.passkey_removed',
  'practice.created',
  'practice.two_factor_enabled',
  'practice.two_factor_disabled',
  'practice_key.granted',
  'practice_key.rotated',
  'keys.trusted_granters_changed',
  'user.created',
  'user.promoted',
  'user.demoted',
  'user.removed',
  'invite.created',
  'invite.revoked',
  'invite.accepted',
  'device.registered',
  'device.approved',
  'device.renamed',
  'device.revoked',
  'session.revoked',
  'session.revoked_others',
  'patient.created',
  'patient.updated',
  'patient.index_updated',
  'patient.data_key_rewrapped',
  'patient.erased',
  'entry.added',
  'document.upload_started',
  'document.added',
  'document.upload_abandoned',
  'retention.expired_listed',
  'backup.agent_credential_created',
  'backup.retention_credential_created',
  'backup.credential_revoked',
  'backup.snapshot_stored',
  'backup.keys_stored',
  'backup.config_stored',
  'backup.object_deleted',
  'integrity.damage_found',
];

const problemKinds = [
  'wrong_practice',
  'seq_gap',
  'chain_broken',
  'truncated',
  'head_mismatch',
  'checkpoint_signature',
  'checkpoint_mismatch',
  'inconsistent_with_remembered',
];

describe('audit labels', () => {
  it('name every server action in German and English', () => {
    for (const action of serverActions) {
      assert.notEqual(auditActionLabel(action, tDe), action, action);
      assert.notEqual(auditActionLabel(action, tEn), action, action);
    }
    assert.equal(auditActionLabel('device.approved', tDe), 'Gerät freigegeben');
    assert.equal(auditActionLabel('device.approved', tEn), 'Device approved');
  });

  it('name every verification problem', () => {
    for (const kind of problemKinds) assert.notEqual(auditProblemLabel(kind, tDe), kind, kind);
  });

  it('show an unknown code as it is', () => {
    assert.equal(auditActionLabel('records.something_new', tDe), 'records.something_new');
    assert.equal(auditProblemLabel('new_problem', tEn), 'new_problem');
  });
});
