import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setupNoteText } from './target.js';

test('setup note: what the run created, and who made what it found (a fresh sandbox is not "already there")', () => {
  assert.equal(
    setupNoteText('bindy-loadtest', 'lt', { namespaceCreated: false, clusterCreated: false, clusterReadyMs: 0, provisionedBy: 'the sandbox when it started' }),
    'setup (not measured): namespace bindy-loadtest (created by the sandbox when it started); Bind9Cluster lt (created by the sandbox when it started)',
  );
  assert.equal(
    setupNoteText('ns', 'lt', { namespaceCreated: false, clusterCreated: true, clusterReadyMs: 2345, provisionedBy: 'the sandbox when it started' }),
    'setup (not measured): namespace ns (created by the sandbox when it started); Bind9Cluster lt created, Ready after 2.3 s',
  );
  // A cluster: what the run did not create was there before it, made by someone else.
  assert.equal(
    setupNoteText('ns', 'lt', { namespaceCreated: true, clusterCreated: false, clusterReadyMs: 0 }),
    'setup (not measured): namespace ns created; Bind9Cluster lt (already there)',
  );
});
