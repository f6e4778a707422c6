import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BackupError } from '../errors.js';
import type { FoundManifest } from './manifest-dirs.js';
import type { Manifest } from './manifest.js';
import { decodePlan, emptyPlan, encodePlan } from './plan-file.js';
import { mergeManifests } from './plan-merge.js';

function found(id: string, version: string, include: string[]): FoundManifest {
  const manifest: Manifest = {
    id,
    name: id.toUpperCase(),
    vendor: 'Example GmbH',
    version,
    include,
    exclude: ['*.tmp'],
    pre: [],
    post: [],
    hints: [],
  };
  return { file: `/etc/tresor-backup/manifests.d/${id}.xml`, manifest };
}

describe('plan merge', () => {
  it('adds new products, refreshes manifest parts, keeps every user edit', () => {
    const first = mergeManifests(emptyPlan(), [
      found('pvs', '1.0', ['/opt/pvs/data']),
      found('scan', '1', ['/var/scan']),
    ]);
    assert.deepEqual(first.added, ['pvs', 'scan']);
    // The user edits the plan: disables one product, adds paths and excludes, adds an entry of their own.
    const edited = decodePlan(
      JSON.parse(
        encodePlan({
          ...first.plan,
          sources: [
            { ...first.plan.sources[0]!, extraPaths: ['/home/praxis/Vorlagen'], extraExclude: ['*.bak'] },
            { ...first.plan.sources[1]!, enabled: false },
            { id: 'own-folders', enabled: true, extraPaths: ['/srv/praxis/abrechnung'], extraExclude: [] },
          ],
          retention: { keepDaily: 14, maxTotalBytes: 1 << 30, minKeep: 3 },
          schedule: { times: ['19:00'], retention: true },
        }),
      ),
      'plan.json',
    );
    const second = mergeManifests(edited, [
      found('pvs', '2.0', ['/opt/pvs/data', '/opt/pvs/letters']),
      found('scan', '1', ['/var/scan']),
      found('xray', '7', ['/srv/xray']),
    ]);
    assert.deepEqual(second.added, ['xray']);
    assert.deepEqual(second.updated, ['pvs']);
    assert.deepEqual(second.missing, []);
    const [pvs, scan, own, xray] = second.plan.sources;
    assert.equal(pvs!.manifest?.version, '2.0');
    assert.deepEqual(pvs!.manifest.include, ['/opt/pvs/data', '/opt/pvs/letters']);
    assert.deepEqual(pvs!.extraPaths, ['/home/praxis/Vorlagen']);
    assert.deepEqual(pvs!.extraExclude, ['*.bak']);
    assert.equal(scan!.enabled, false);
    assert.deepEqual(own, edited.sources[2]);
    assert.equal(xray!.id, 'xray');
    assert.equal(xray!.enabled, true);
    assert.deepEqual(second.plan.retention, { keepDaily: 14, maxTotalBytes: 1 << 30, minKeep: 3 });
    assert.deepEqual(second.plan.schedule, { times: ['19:00'], retention: true });
  });

  it('keeps a product whose manifest is gone (marked missing), and one whose manifest is only invalid now', () => {
    const plan = mergeManifests(emptyPlan(), [
      found('pvs', '1', ['/opt/pvs']),
      found('scan', '1', ['/var/scan']),
    ]).plan;
    const next = mergeManifests(plan, [], new Set(['/etc/tresor-backup/manifests.d/scan.xml']));
    assert.deepEqual(next.missing, ['pvs']);
    assert.equal(next.plan.sources[0]!.manifest?.missing, true);
    assert.deepEqual(next.plan.sources[1], plan.sources[1]);
    // Back again: no longer missing.
    const back = mergeManifests(next.plan, [found('pvs', '1', ['/opt/pvs'])]);
    assert.equal(back.plan.sources[0]!.manifest?.missing, undefined);
  });

  it('rejects a hand-edited plan that is wrong, naming the field', () => {
    const bad = (value: unknown) => {
      assert.throws(
        () => decodePlan(value, 'plan.json'),
        (error: unknown) => error instanceof BackupError && error.code === 'plan.invalid',
      );
    };
    bad({ format: 'tresor-backup-plan', version: 2, sources: [] });
    bad({
      format: 'tresor-backup-plan',
      version: 1,
      sources: [{ id: 'a', enabled: 'yes', extraPaths: ['/x'] }],
    });
    bad({
      format: 'tresor-backup-plan',
      version: 1,
      sources: [{ id: 'a', enabled: true, extraPaths: ['rel'] }],
    });
    bad({ format: 'tresor-backup-plan', version: 1, sources: [{ id: 'a', enabled: true, extraPaths: [] }] });
    assert.throws(
      () =>
        decodePlan(
          {
            format: 'tresor-backup-plan',
            version: 1,
            sources: [{ id: 'a', enabled: true, extraPaths: ['rel'] }],
          },
          'plan.json',
        ),
      /plan\.json: sources\[0\]\.extraPaths\[0\] must be an absolute path/,
    );
  });

  it('bounds a command timeout in the plan like the manifest does (1..86400 seconds)', () => {
    const withTimeout = (timeoutSeconds: number) => ({
      format: 'tresor-backup-plan',
      version: 1,
      sources: [
        {
          id: 'a',
          enabled: true,
          extraPaths: ['/x'],
          manifest: {
            file: '/m/a.xml',
            name: 'n',
            vendor: 'v',
            version: '1',
            include: [],
            exclude: [],
            pre: [{ command: 'sleep 1', timeoutSeconds }],
            post: [],
          },
        },
      ],
    });
    assert.equal(
      decodePlan(withTimeout(86400), 'plan.json').sources[0]!.manifest?.pre[0]!.timeoutSeconds,
      86400,
    );
    for (const timeoutSeconds of [3000000, 86401, 0]) {
      assert.throws(
        () => decodePlan(withTimeout(timeoutSeconds), 'plan.json'),
        (error: unknown) =>
          error instanceof BackupError &&
          error.code === 'plan.invalid' &&
          error.message.includes(
            'plan.json: sources[0].manifest.pre[0].timeoutSeconds must be a whole number of seconds, 1..86400',
          ),
        String(timeoutSeconds),
      );
    }
  });
});
