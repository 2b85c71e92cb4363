// `source.github.tag_api` against a loopback server: a full URL and a path under the API base name
// the release to use (the default tag and latest endpoints are never asked), and every way that
// answer can be wrong fails the skill alone with the URL in the message.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';

import { currentPlatformKey } from '../dist/index.js';
import { depTree, failuresOf, loadDeps, useDepsServer } from './helpers/deps-server.mjs';

const PLATFORM = currentPlatformKey();
const ctx = useDepsServer('luaskills-tagapi-');
const work = ctx.work;
let srv;
before(async () => {
  await ctx.ready;
  srv = ctx.srv;
});

const release = (tag, asset) => ({
  type: 'application/json',
  body: JSON.stringify({ tag_name: tag, assets: [{ name: asset, browser_download_url: `https://github.com/acme/t/releases/download/${tag}/${asset}` }] }),
});
const deps = (name, tagApi, version) => `tool_dependencies:
  - name: ${name}
${version ? `    version: "${version}"\n` : ''}    source: { type: github_release, github: { repo: acme/t, tag_api: "${tagApi}" } }
    packages:
      ${PLATFORM}: { asset_name: "t-{version}.bin", exports: [ { archive_path: t, target_path: "t-{tag}" } ] }
`;

test('tag_api as a full URL and as a path under githubApiBaseUrl picks the release; tags/latest are not asked', async () => {
  srv.files.set('/custom/pinned.json', release('v2.0.0', 't-2.0.0.bin'));
  srv.files.set('/api/repos/acme/t/releases/tags/nightly', release('nightly-7', 't-nightly-7.bin'));
  srv.files.set('/gh/acme/t/releases/download/v2.0.0/t-2.0.0.bin', { body: 'two' });
  srv.files.set('/gh/acme/t/releases/download/nightly-7/t-nightly-7.bin', { body: 'nightly' });
  const t = depTree(work, 'ok', {
    byurl: { deps: deps('t', `${srv.base}/custom/pinned.json`) },
    bypath: { deps: deps('t', '/repos/acme/t/releases/tags/nightly') },
  });
  srv.requests.length = 0;
  const { engine, report } = await loadDeps(t, srv.base);
  assert.deepEqual(report.failed, []);
  assert.deepEqual(report.loaded, ['bypath', 'byurl']);
  assert.deepEqual([...srv.requests].sort(), [
    '/api/repos/acme/t/releases/tags/nightly',
    '/custom/pinned.json',
    '/gh/acme/t/releases/download/nightly-7/t-nightly-7.bin',
    '/gh/acme/t/releases/download/v2.0.0/t-2.0.0.bin',
  ]);
  // Without a declared version the version is the tag without `v`; {tag} is the tag as answered.
  const installed = (skill, version, file) => readFileSync(path.join(t.root, 'dependencies', 'tools', skill, 't', version, PLATFORM, file), 'utf8');
  assert.equal(installed('byurl', '2.0.0', 't-v2.0.0'), 'two');
  assert.equal(installed('bypath', 'nightly-7', 't-nightly-7'), 'nightly');
  await engine.close();
});

test('tag_api answers: 404 (no fallback to tag endpoints), not JSON, no tag_name, and a tag_api that is no URL', async () => {
  srv.files.set('/custom/notjson', { body: '<html>rate limited</html>' });
  srv.files.set('/custom/notag', { type: 'application/json', body: JSON.stringify({ name: 'x', assets: [] }) });
  srv.files.set('/custom/badassets', { type: 'application/json', body: JSON.stringify({ tag_name: 'v1', assets: 'none' }) });
  const t = depTree(work, 'bad', {
    missing: { deps: deps('t', `${srv.base}/custom/gone`, '1.0.0') },
    notjson: { deps: deps('t', `${srv.base}/custom/notjson`) },
    notag: { deps: deps('t', `${srv.base}/custom/notag`) },
    badassets: { deps: deps('t', `${srv.base}/custom/badassets`) },
    relative: { deps: deps('t', 'releases/latest') },
    fine: {},
  });
  srv.requests.length = 0;
  const { engine, report } = await loadDeps(t, srv.base);
  assert.deepEqual(report.loaded, ['fine']);
  const failures = failuresOf(report);
  const prefix = (id) => `dependency_failed: Failed to prepare dependencies for ${id}: `;
  assert.equal(failures.missing, `${prefix('missing')}Failed to query ${srv.base}/custom/gone: HTTP 404 Not Found`);
  assert.match(failures.notjson, new RegExp(`^${prefix('notjson')}Failed to parse ${srv.base}/custom/notjson: .*JSON`));
  assert.equal(failures.notag, `${prefix('notag')}Failed to parse ${srv.base}/custom/notag: tag_name: Expected required property`);
  assert.match(failures.badassets, new RegExp(`^${prefix('badassets')}Failed to parse ${srv.base}/custom/badassets: assets: Expected array`));
  assert.equal(failures.relative, `${prefix('relative')}github tag_api 'releases/latest' must be an http(s) URL or a path beginning with '/'`);
  // A declared version does not send a failing tag_api to the tag endpoints: one request each.
  assert.deepEqual([...srv.requests].sort(), ['/custom/badassets', '/custom/gone', '/custom/notag', '/custom/notjson']);
  await engine.close();
});
