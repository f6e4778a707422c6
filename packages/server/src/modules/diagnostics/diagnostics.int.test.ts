import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

const PRACTICE = '0f8fad5b-d9cb-469f-a165-70867728950e';
const PROBE = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

describe('diagnostics routes', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('refuses ids in any but the plain lowercase UUID form with 400, before the database', async () => {
    const ids = [`urn:uuid:${PRACTICE}`, PRACTICE.toUpperCase(), `{${PRACTICE}}`];
    for (const id of ids) {
      for (const [method, url, payload] of [
        ['POST', `/api/v1/diagnostics/practices/${id}/probes`, { body: 'x' }],
        ['GET', `/api/v1/diagnostics/practices/${id}/probes`, undefined],
        ['GET', `/api/v1/diagnostics/practices/${PRACTICE}/probes/${id.replace(PRACTICE, PROBE)}`, undefined],
      ] as const) {
        const res = await t.app.inject({ method, url, ...(payload && { payload }) });
        assert.equal(res.statusCode, 400, `${method} ${url}: ${res.body}`);
        assert.equal(res.json().error.code, 'request.invalid');
      }
    }
    const list = await t.app.inject({
      method: 'GET',
      url: `/api/v1/diagnostics/practices/${PRACTICE}/probes`,
    });
    assert.deepEqual(list.json(), { probes: [] }, 'nothing was written');
  });
});
