import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_HOOK_TIMEOUT_SECONDS, parseManifest } from './manifest.js';

const EXAMPLES = fileURLToPath(new URL('../../manifests/examples/', import.meta.url));
const FILE = '/etc/tresor-backup/manifests.d/test.xml';

const manifest = (body: string, product = '<name>N</name><vendor>V</vendor><version>1</version>') =>
  `<?xml version="1.0"?>\n<backup-manifest version="1">\n<product id="p1">${product}</product>\n${body}\n</backup-manifest>\n`;

function problems(text: string) {
  const result = parseManifest(text, FILE);
  assert.ok('problems' in result, 'expected the manifest to be rejected');
  return result.problems;
}

describe('backup manifests', () => {
  it('reads the shipped examples, with placeholders replaced', async () => {
    const names = (await readdir(EXAMPLES)).filter((name) => name.endsWith('.xml')).sort();
    assert.deepEqual(names, ['dokuscan-eingang.xml', 'praxisvita-pvs.xml', 'radiview-archiv.xml']);
    const pvs = parseManifest(await readFile(join(EXAMPLES, 'praxisvita-pvs.xml'), 'utf8'), FILE);
    assert.ok('manifest' in pvs, JSON.stringify(pvs));
    assert.equal(pvs.manifest.id, 'praxisvita-pvs');
    assert.equal(pvs.manifest.version, '4.2.1');
    assert.deepEqual(pvs.manifest.include, [
      '/opt/praxisvita/config',
      '/opt/praxisvita/briefe',
      '/var/backups/praxisvita',
    ]);
    assert.deepEqual(pvs.manifest.exclude, ['*.tmp', '/opt/praxisvita/briefe/.cache']);
    assert.equal(pvs.manifest.pre.length, 1);
    assert.match(pvs.manifest.pre[0]!.command, /&& pg_dump --format=custom/);
    assert.equal(pvs.manifest.pre[0]!.timeoutSeconds, 1800);
    assert.deepEqual(
      pvs.manifest.hints.map((h) => h.kind),
      ['dump-first'],
    );
    for (const name of names.slice(0, 1).concat(names.slice(2))) {
      const result = parseManifest(await readFile(join(EXAMPLES, name), 'utf8'), FILE);
      assert.ok('manifest' in result, `${name}: ${JSON.stringify(result)}`);
    }
  });

  it('reports a well-formedness error with its line and column', () => {
    const text =
      '<?xml version="1.0"?>\n<backup-manifest version="1">\n  <product id="p1">\n    <name>N</nam>\n';
    const [problem, ...rest] = problems(text);
    assert.equal(rest.length, 0);
    assert.equal(problem!.line, 4);
    assert.ok(problem!.column > 1);
    assert.match(problem!.message, /close tag/);
  });

  it('reports an unterminated document at its end', () => {
    const [problem] = problems('<backup-manifest version="1">\n<product id="p1">\n');
    assert.equal(problem!.line, 3);
  });

  it('reports every schema problem, each at the line of its element', () => {
    const text = manifest(
      [
        '<include/>', // line 4
        '<include path="relative/dir"/>', // line 5
        '<pre-command timeout="soon">pg_dump x</pre-command>', // line 6
        '<consistency hint="pray"/>', // line 7
        '<include path="${NOPE}/x"/>', // line 8
        '<surprise/>', // line 9
      ].join('\n'),
    );
    const found = problems(text).map((p) => [p.line, p.message] as const);
    assert.deepEqual(
      found.map(([line]) => line),
      [9, 4, 5, 6, 7, 8],
    );
    assert.match(found[0]![1], /unknown element <surprise>/);
    assert.match(found[1]![1], /needs a path/);
    assert.match(found[2]![1], /not absolute/);
    assert.match(found[3]![1], /timeout="soon"/);
    assert.match(found[4]![1], /hint="pray"/);
    assert.match(found[5]![1], /unknown placeholder \$\{NOPE\}/);
  });

  it('requires the product fields and at least one include', () => {
    const found = problems(manifest('', '<name>N</name>'));
    const messages = found.map((p) => p.message).join('\n');
    assert.match(messages, /needs a <vendor>/);
    assert.match(messages, /needs a <version>/);
    assert.match(messages, /at least one <include/);
    assert.ok(found.every((p) => p.line >= 2));
  });

  it('refuses other root elements, unknown versions and document type declarations', () => {
    assert.match(problems('<plan/>')[0]!.message, /root element must be <backup-manifest>/);
    assert.match(problems('<backup-manifest version="2"/>')[0]!.message, /version 2 is not supported/);
    const doctype = problems(
      '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n<backup-manifest version="1"/>',
    );
    assert.equal(doctype[0]!.line, 2);
    assert.match(doctype[0]!.message, /document type/);
  });

  it('defaults the command timeout and replaces ${MANIFEST_DIR}', () => {
    const result = parseManifest(
      manifest('<include path="${MANIFEST_DIR}/data"/>\n<post-command>echo done</post-command>'),
      FILE,
    );
    assert.ok('manifest' in result, JSON.stringify(result));
    assert.deepEqual(result.manifest.include, ['/etc/tresor-backup/manifests.d/data']);
    assert.deepEqual(result.manifest.post, [
      { command: 'echo done', timeoutSeconds: DEFAULT_HOOK_TIMEOUT_SECONDS },
    ]);
  });

  it('leaves ${PRODUCT_HOME} and ${MANIFEST_DIR} in commands to the shell, still checking the names', () => {
    const home = '<name>N</name><vendor>V</vendor><version>1</version><home>/opt/m dir $(touch x)</home>';
    const result = parseManifest(
      manifest(
        '<include path="${PRODUCT_HOME}/data"/>\n<pre-command>"${PRODUCT_HOME}/bin/dump" "${MANIFEST_DIR}/x"</pre-command>',
        home,
      ),
      FILE,
    );
    assert.ok('manifest' in result, JSON.stringify(result));
    assert.deepEqual(result.manifest.include, ['/opt/m dir $(touch x)/data']);
    assert.equal(result.manifest.pre[0]!.command, '"${PRODUCT_HOME}/bin/dump" "${MANIFEST_DIR}/x"');
    const [problem] = problems(
      manifest('<include path="/x"/>\n<post-command>"${PRODUCT_HOME}/x"</post-command>'),
    );
    assert.equal(problem!.line, 5);
    assert.match(problem!.message, /unknown placeholder \$\{PRODUCT_HOME\} \(known: \$\{MANIFEST_DIR\}\)/);
  });

  it('reports unknown attributes and child elements of include, exclude, commands and consistency', () => {
    const text = manifest(
      [
        '<include path="/a"><exlude pattern="x"/></include>', // line 4, child on line 4
        '<exclude patern="*.tmp"/>', // line 5
        '<pre-command timout="5000">true</pre-command>', // line 6
        '<post-command>echo a<b>x</b>c</post-command>', // line 7
        '<consistency hint="none" servce="x">note</consistency>', // line 8
      ].join('\n'),
    );
    const found = problems(text).map((p) => `${p.line}: ${p.message}`);
    assert.deepEqual(found, [
      '4: unknown element <exlude> in <include> (it takes no child elements)',
      '5: unknown attribute patern="*.tmp" on <exclude> (known: pattern)',
      '5: <exclude> needs a pattern="..." attribute',
      '6: unknown attribute timout="5000" on <pre-command> (known: timeout)',
      '7: unknown element <b> in <post-command> (it takes no child elements)',
      '8: unknown attribute servce="x" on <consistency> (known: hint, service)',
    ]);
  });
});
