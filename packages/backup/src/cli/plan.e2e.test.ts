import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertBuilt, jsonLines, runCli } from '../testing/cli-process.js';
import { removeDir, tempDir } from '../testing/fixtures.js';

const PASSPHRASE = 'Winter-Praxis-2026!';
const FAST_KDF = ['--kdf-memory', '8', '--kdf-iterations', '1'];
const EXAMPLES = fileURLToPath(new URL('../../manifests/examples/', import.meta.url));

function manifest(id: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<backup-manifest version="1">
  <product id="${id}">
    <name>${id}</name>
    <vendor>Test GmbH</vendor>
    <version>1.0</version>
    <home>\${MANIFEST_DIR}/../${id}</home>
  </product>
${body}
</backup-manifest>
`;
}

describe('tresor-backup plan and run (built, run as a user would)', () => {
  let dir: string;
  let env: Record<string, string>;
  let manifests: string;
  before(async () => {
    assertBuilt();
    dir = await tempDir('tresor-backup-plan-');
    manifests = join(dir, 'manifests');
    await mkdir(manifests);
    env = {
      TRESOR_BACKUP_REPO: join(dir, 'repo'),
      TRESOR_BACKUP_PASSPHRASE: PASSPHRASE,
      TRESOR_BACKUP_PLAN: join(dir, 'plan.json'),
    };
    for (const id of ['pvs', 'xray', 'own']) await mkdir(join(dir, id));
    await writeFile(join(dir, 'pvs', 'stamm.dat'), 'patients');
    await writeFile(join(dir, 'pvs', 'session.tmp'), 'temporary');
    await writeFile(join(dir, 'xray', 'bild.dcm'), 'DICM');
    await writeFile(join(dir, 'own', 'vorlage.docx'), 'letter');
    await writeFile(
      join(manifests, 'pvs.xml'),
      manifest(
        'pvs',
        '  <include path="${PRODUCT_HOME}"/>\n  <exclude pattern="*.tmp"/>\n' +
          '  <pre-command timeout="60">echo "dump for $TRESOR_BACKUP_SOURCE" &amp;&amp; echo dump > "$PRODUCT_HOME/db.dump"</pre-command>\n' +
          '  <consistency hint="dump-first">dump</consistency>',
      ),
    );
    await writeFile(
      join(manifests, 'xray.xml'),
      manifest(
        'xray',
        '  <include path="${PRODUCT_HOME}"/>\n  <pre-command timeout="60">echo "cannot stop xray" >&amp;2; exit 7</pre-command>',
      ),
    );
    // Broken on line 5: the closing tag does not match.
    await writeFile(
      join(manifests, 'broken.xml'),
      '<?xml version="1.0"?>\n<backup-manifest version="1">\n  <product id="broken">\n    <name>B</name>\n  </prodct>\n',
    );
  });
  after(async () => {
    await removeDir(dir);
  });

  it('plan reports invalid manifests with file and line, writes the rest, keeps user edits on re-run', async () => {
    const first = await runCli(['plan', '--manifests', manifests], env);
    assert.equal(first.code, 3, first.stderr);
    assert.match(
      first.stderr,
      new RegExp(`error: ${join(manifests, 'broken.xml')}:5:\\d+: .*manifest skipped`),
    );
    assert.match(first.stdout, /new {5}pvs /);
    assert.match(first.stdout, /before: echo "dump for/);
    assert.match(first.stdout, /PARTIAL: 1 manifest\(s\) invalid/);
    const plan = JSON.parse(await readFile(env.TRESOR_BACKUP_PLAN!, 'utf8')) as {
      sources: { id: string; enabled: boolean; extraPaths: string[]; extraExclude: string[] }[];
    };
    assert.deepEqual(
      plan.sources.map((s) => s.id),
      ['pvs', 'xray'],
    );

    // The user adds a folder of their own and an exclude; the examples directory comes in by env var.
    plan.sources[0]!.extraExclude = ['*.bak'];
    plan.sources.push({ id: 'own', enabled: true, extraPaths: [join(dir, 'own')], extraExclude: [] });
    await writeFile(env.TRESOR_BACKUP_PLAN!, JSON.stringify(plan, null, 2));
    const second = await runCli(['plan', '--json'], {
      ...env,
      TRESOR_BACKUP_MANIFESTS: `${manifests}:${EXAMPLES}`,
    });
    assert.equal(second.code, 3, second.stderr);
    const lines = jsonLines(second.stdout);
    const error = lines.find((line) => line.type === 'error');
    assert.equal(error?.line, 5);
    assert.equal(error.file, join(manifests, 'broken.xml'));
    const summary = lines.find((line) => line.type === 'summary');
    assert.deepEqual(summary?.added, ['dokuscan-eingang', 'praxisvita-pvs', 'radiview-archiv']);
    assert.equal(summary.status, 'partial');
    const merged = JSON.parse(await readFile(env.TRESOR_BACKUP_PLAN!, 'utf8')) as typeof plan;
    assert.deepEqual(merged.sources[0]!.extraExclude, ['*.bak']);
    assert.deepEqual(merged.sources[2], plan.sources[2]);
    // The example products are not installed here: disable them for the run below.
    for (const source of merged.sources.slice(3)) source.enabled = false;
    await writeFile(env.TRESOR_BACKUP_PLAN!, JSON.stringify(merged, null, 2));
  });

  it('run: a failing pre-command skips that product, is logged, and makes the run partial', async () => {
    const init = await runCli(['init', ...FAST_KDF], env);
    assert.equal(init.code, 0, init.stderr);
    const run = await runCli(['run'], env);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stdout, /\[pvs\] pre \| dump for pvs/);
    assert.match(run.stdout, /\[xray\] pre ! cannot stop xray/);
    assert.match(
      run.stderr,
      /\[xray\] pre-command failed with exit code 7: this product's paths are NOT backed up/,
    );
    assert.match(run.stdout, /xray {17}skipped/);
    assert.match(run.stdout, /snapshot [0-9a-f]{8} saved/);

    const ls = await runCli(['ls', 'latest'], env);
    assert.equal(ls.code, 0, ls.stderr);
    const files = ls.stdout.split('\n').filter((line) => line.startsWith(dir));
    assert.ok(files.includes(join(dir, 'pvs', 'db.dump')), ls.stdout);
    assert.ok(files.includes(join(dir, 'pvs', 'stamm.dat')));
    assert.ok(!files.includes(join(dir, 'pvs', 'session.tmp')), 'excluded by the manifest');
    assert.ok(files.includes(join(dir, 'own', 'vorlage.docx')));
    assert.ok(!files.some((file) => file.startsWith(join(dir, 'xray'))));

    const json = await runCli(['run', '--json'], env);
    assert.equal(json.code, 3);
    const summary = jsonLines(json.stdout).find((line) => line.type === 'summary');
    assert.equal(summary?.status, 'partial');
    const sources = summary.sources as { id: string; status: string }[];
    assert.deepEqual(
      sources.map((s) => [s.id, s.status]),
      [
        ['pvs', 'backed-up'],
        ['xray', 'skipped'],
        ['own', 'backed-up'],
        ['dokuscan-eingang', 'disabled'],
        ['praxisvita-pvs', 'disabled'],
        ['radiview-archiv', 'disabled'],
      ],
    );
    assert.ok(
      jsonLines(json.stdout).some((line) => line.type === 'hook-output' && line.line === 'cannot stop xray'),
    );
  });

  it('run without a plan, and plan without a plan file, say what to do', async () => {
    const noPlan = await runCli(['run'], { ...env, TRESOR_BACKUP_PLAN: join(dir, 'nope.json') });
    assert.equal(noPlan.code, 1);
    assert.match(noPlan.stderr, /no plan at .*nope\.json: create it with "tresor-backup plan"/);
    // A plan with nothing to back up is an invalid plan (exit code 1), like any other plan run refuses.
    const empty = join(dir, 'empty-plan.json');
    await writeFile(empty, JSON.stringify({ format: 'tresor-backup-plan', version: 1, sources: [] }));
    for (const json of [false, true]) {
      const refused = await runCli(['run', '--plan', empty, ...(json ? ['--json'] : [])], env);
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(refused.stderr, /empty-plan\.json: "sources" is empty: nothing to back up/);
      if (json) assert.equal(jsonLines(refused.stdout)[0]?.code, 'plan.invalid', refused.stdout);
    }
    const usage = await runCli(['plan'], { PATH: process.env.PATH ?? '' });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /use --plan FILE or set TRESOR_BACKUP_PLAN/);
  });
});
