import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { messagesDe } from '../../i18n/messages.de';
import { messagesEn } from '../../i18n/messages.en';
import { plural } from '../../i18n/plural';
import { type CountLine, patientCountLine } from './patient-count';

const render = (messages: Readonly<Record<string, string>>, line: CountLine) =>
  messages[line.key]!.replace(/\{(\w+)\}/g, (_, name: string) => String(line.params[name]));

const de = (input: Parameters<typeof patientCountLine>[1]) =>
  render(messagesDe, patientCountLine('de-DE', input));
const en = (input: Parameters<typeof patientCountLine>[1]) =>
  render(messagesEn, patientCountLine('en-GB', input));

describe('plural', () => {
  it('picks the singular for exactly one, the plural otherwise (de, en)', () => {
    const forms = { one: 'one', other: 'other' };
    for (const tag of ['de-DE', 'en-GB']) {
      assert.equal(plural(tag, 1, forms), 'one');
      for (const count of [0, 2, 5, 21, 100]) assert.equal(plural(tag, count, forms), 'other');
    }
  });
});

describe('patientCountLine', () => {
  const all = { searching: false, hits: 0, shown: 50 };
  const search = { searching: true, total: 120, shown: 50 };

  it('counts all patients in singular and plural', () => {
    assert.equal(de({ ...all, total: 1 }), '1 Patient');
    assert.equal(de({ ...all, total: 0 }), '0 Patienten');
    assert.equal(de({ ...all, total: 50 }), '50 Patienten');
    assert.equal(en({ ...all, total: 1 }), '1 patient');
    assert.equal(en({ ...all, total: 2 }), '2 patients');
  });

  it('says the list is cut when there are more patients than shown', () => {
    assert.match(de({ ...all, total: 51 }), /^50 von 51 Patienten angezeigt/);
    assert.match(en({ ...all, total: 120 }), /^Showing 50 of 120 patients/);
  });

  it('counts search hits, and says "more than" when the search found more than shown', () => {
    assert.equal(de({ ...search, hits: 1 }), '1 Treffer');
    assert.equal(de({ ...search, hits: 0 }), '0 Treffer');
    assert.equal(en({ ...search, hits: 1 }), '1 match');
    assert.equal(en({ ...search, hits: 50 }), '50 matches');
    assert.match(de({ ...search, hits: 51 }), /^Mehr als 50 Treffer/);
    assert.match(en({ ...search, hits: 51 }), /^More than 50 matches/);
  });
});
