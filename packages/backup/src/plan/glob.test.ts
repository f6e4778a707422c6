import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileGlob, compileGlobs } from './glob.js';

describe('exclude patterns', () => {
  it('a pattern without "/" matches the last path component at any depth', () => {
    const match = compileGlob('*.tmp');
    assert.equal(match('/opt/pvs/data/x.tmp'), true);
    assert.equal(match('/x.tmp'), true);
    assert.equal(match('/opt/pvs/data/x.tmp.keep'), false);
    assert.equal(match('/opt/x.tmp/inner'), false);
    assert.equal(compileGlob('lock?')('/a/lock1'), true);
    assert.equal(compileGlob('lock?')('/a/lock12'), false);
  });

  it('"/"-anchored patterns match the whole path; "*" stays within one component, "**" crosses them', () => {
    assert.equal(compileGlob('/opt/pvs/cache')('/opt/pvs/cache'), true);
    assert.equal(compileGlob('/opt/pvs/cache')('/srv/opt/pvs/cache'), false);
    assert.equal(compileGlob('/opt/*/cache')('/opt/pvs/cache'), true);
    assert.equal(compileGlob('/opt/*/cache')('/opt/pvs/x/cache'), false);
    assert.equal(compileGlob('/opt/**/cache')('/opt/pvs/x/cache'), true);
    assert.equal(compileGlob('/opt/**/cache')('/opt/cache'), true);
    assert.equal(compileGlob('**/*.log')('/var/pvs/a.log'), true);
  });

  it('relative patterns with "/" match the end of the path at a component boundary', () => {
    const match = compileGlob('cache/*.bin');
    assert.equal(match('/opt/pvs/cache/a.bin'), true);
    assert.equal(match('/opt/pvs/mycache/a.bin'), false);
    assert.equal(compileGlob('logs/')('/opt/pvs/logs'), true);
  });

  it('treats regular expression characters literally', () => {
    assert.equal(compileGlob('a+b(1).txt')('/x/a+b(1).txt'), true);
    assert.equal(compileGlob('a.txt')('/x/abtxt'), false);
  });

  it('combines several patterns; none gives no matcher', () => {
    assert.equal(compileGlobs([]), undefined);
    const match = compileGlobs(['*.tmp', '/opt/pvs/cache']);
    assert.ok(match);
    assert.equal(match('/opt/pvs/cache'), true);
    assert.equal(match('/a/b.tmp'), true);
    assert.equal(match('/a/b.txt'), false);
  });
});
