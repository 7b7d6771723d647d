import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../../package-root.js';
import { checkoutToken, sandboxHome } from './state.js';

test("the default sandbox home is one per user and per checkout; BINDY_LOADTEST_SANDBOX_HOME overrides it", () => {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  assert.match(checkoutToken(), /^[0-9a-f]{6}$/);
  assert.equal(checkoutToken(), checkoutToken(packageRoot()));
  assert.notEqual(checkoutToken('/home/a/bindy-loadtest'), checkoutToken('/home/b/bindy-loadtest'), 'two checkouts, two homes');
  assert.equal(sandboxHome({}), join(tmpdir(), `bindy-loadtest-sandbox-${checkoutToken()}-${uid}`));
  assert.equal(sandboxHome({ BINDY_LOADTEST_SANDBOX_HOME: '/x/y' }), '/x/y');
});
