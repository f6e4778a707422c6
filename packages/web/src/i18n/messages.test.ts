import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMessageKey } from './message-key';
import { messagesDe } from './messages.de';
import { messagesEn } from './messages.en';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('message catalogues', () => {
  it('have the same keys in German and English', () => {
    assert.deepEqual(Object.keys(messagesEn).sort(), Object.keys(messagesDe).sort());
  });

  it('use the same placeholders in both languages', () => {
    for (const [key, german] of Object.entries(messagesDe)) {
      const english: string = messagesEn[key as keyof typeof messagesEn];
      assert.deepEqual(placeholders(english), placeholders(german), key);
    }
  });

  it('recognise their own keys only', () => {
    assert.equal(isMessageKey('auditAction.device.approved'), true);
    assert.equal(isMessageKey('auditAction.no.such_action'), false);
    assert.equal(isMessageKey('toString'), false);
  });
});
