import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchPath } from './match-path';

describe('matchPath', () => {
  it('matches literal segments and returns the decoded parameters', () => {
    assert.deepEqual(matchPath('/patients', '/patients'), {});
    assert.deepEqual(matchPath('/patients/:id/edit', '/patients/a%20b/edit'), { id: 'a b' });
    assert.deepEqual(matchPath('/patients/:id', '/patients/%C3%BC'), { id: 'ü' });
  });

  it('does not match other paths', () => {
    assert.equal(matchPath('/patients/:id', '/patients'), undefined);
    assert.equal(matchPath('/patients/:id', '/users/1'), undefined);
    assert.equal(matchPath('/patients/:id/edit', '/patients/1/history'), undefined);
  });

  it('treats malformed percent-encoding as no match instead of throwing', () => {
    for (const path of ['/patients/100%', '/patients/%E0%A4%A', '/patients/%zz', '/patients/%C3']) {
      assert.doesNotThrow(() => matchPath('/patients/:id', path));
      assert.equal(matchPath('/patients/:id', path), undefined, path);
    }
    // A literal segment is compared as it is, so it cannot throw either.
    assert.equal(matchPath('/patients', '/100%'), undefined);
  });
});
