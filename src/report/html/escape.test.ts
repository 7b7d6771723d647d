import { test } from 'node:test';
import { runInNewContext } from 'node:vm';
import assert from 'node:assert/strict';
import { escapeHtml, inlineScript, inlineStyle, jsonForScript } from './escape.js';

test('escapeHtml replaces the five special characters and nothing else', () => {
  assert.equal(escapeHtml(`<a href="x">&'</a> é`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt; é');
});

test('jsonForScript: no < > & or line separators survive, and JSON.parse gives the value back', () => {
  const value = { s: '</script><!-- & \u2028\u2029 >', n: [1, null] };
  const text = jsonForScript(value);
  assert.doesNotMatch(text, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(text), value);
});

test('inlineScript: no </script (any case) or <!-- left, and the code still means the same', () => {
  const src = 'var a = "</script>", b = "</SCRIPT >", c = "<!--"; var r = /<\\/script>/u.test("</script>");';
  const out = inlineScript(src);
  assert.doesNotMatch(out, /<\/script/i);
  assert.doesNotMatch(out, /<!--/);
  const run = (code: string): unknown => runInNewContext(`${code}; JSON.stringify([a, b, c, r])`);
  assert.deepEqual(run(out), run(src));
  assert.doesNotMatch(inlineStyle('a{content:"</style>"}'), /<\/style/i);
});
