import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nameTokens, normalizeGermanName } from './german-names.js';
import { koelnerPhonetik } from './koelner-phonetik.js';

describe('koelnerPhonetik', () => {
  it('gives the published codes', () => {
    // Examples of the published description (Postel 1969; the German Wikipedia article).
    assert.equal(koelnerPhonetik('Müller-Lüdenscheidt'), '65752682');
    assert.equal(koelnerPhonetik('Wikipedia'), '3412');
    assert.equal(koelnerPhonetik('Breschnew'), '17863');
  });

  it('codes spellings that sound alike the same', () => {
    for (const name of ['Meier', 'Meyer', 'Maier', 'Mayer', 'MEIER', 'meyer']) {
      assert.equal(koelnerPhonetik(name), '67', name);
    }
    assert.equal(koelnerPhonetik('Müller'), '657');
    assert.equal(koelnerPhonetik('Mueller'), '657');
    assert.equal(koelnerPhonetik('Schmidt'), koelnerPhonetik('Schmitt'));
    assert.equal(koelnerPhonetik('Schmidt'), '862');
    assert.equal(koelnerPhonetik('Fischer'), koelnerPhonetik('Vischer'));
    assert.notEqual(koelnerPhonetik('Meier'), koelnerPhonetik('Müller'));
  });

  it('applies each rule of the table', () => {
    const cases: [string, string][] = [
      ['a', '0'], // vowels: 0, kept only at the start
      ['Anna', '06'],
      ['h', ''], // H is not coded
      ['b', '1'],
      ['p', '1'],
      ['ph', '3'], // P before H
      ['da', '2'],
      ['ds', '8'], // D before S
      ['tz', '8'], // T before Z
      ['fvw', '3'],
      ['gkq', '4'],
      ['ca', '4'], // C initially before A
      ['cl', '45'], // C initially before L
      ['ce', '8'], // C initially, not before A, H, K, L, O, Q, R, U, X
      ['aca', '04'], // C before A, not after S/Z
      ['scha', '8'], // C after S
      ['acl', '085'], // C inside, before L: 8
      ['xa', '48'], // X not after C, K, Q
      ['kxa', '48'], // X after K: 8 (4 then 8)
      ['l', '5'],
      ['mn', '6'],
      ['r', '7'],
      ['sz', '8'],
      ['ß', '8'],
      ['Xaver', '4837'],
    ];
    for (const [word, code] of cases) assert.equal(koelnerPhonetik(word), code, word);
  });

  it('ignores everything that is not a letter and handles empty input', () => {
    assert.equal(koelnerPhonetik(''), '');
    assert.equal(koelnerPhonetik('–– 42 ––'), '');
    assert.equal(koelnerPhonetik('Meier 1'), '67');
  });
});

describe('German name normalisation', () => {
  it('spells out umlauts and ß and folds case', () => {
    assert.equal(normalizeGermanName('Müller'), 'mueller');
    assert.equal(normalizeGermanName('Mueller'), 'mueller');
    assert.equal(normalizeGermanName('WEISS'), normalizeGermanName('Weiß'));
    assert.equal(normalizeGermanName('Ölçer'), 'oelcer');
    assert.equal(normalizeGermanName('Élodie'), 'elodie');
    assert.equal(normalizeGermanName('Müller-Lüdenscheidt'), 'muellerluedenscheidt');
    assert.equal(normalizeGermanName('Mu\u0308ller'), 'mueller', 'decomposed ü');
  });

  it('splits names into normalised words', () => {
    assert.deepEqual(nameTokens('Müller-Lüdenscheidt'), ['mueller', 'luedenscheidt']);
    assert.deepEqual(nameTokens(' von  der Heide '), ['von', 'der', 'heide']);
    assert.deepEqual(nameTokens("O'Brien"), ['o', 'brien']);
    assert.deepEqual(nameTokens('--'), []);
  });
});
