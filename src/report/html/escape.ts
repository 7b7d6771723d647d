/** @module Escaping for the HTML report: text and attributes, JSON inside a script element, inlined scripts and styles. */

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `s` safe as HTML text and as a quoted attribute value (the five special characters replaced). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => htmlEntities[c] ?? c);
}

/**
 * `value` as JSON safe inside `<script type="application/json">`: `<`, `>` and `&` become \u escapes
 * so no `</script>` or `<!--` can end or change the element, and U+2028/U+2029 are escaped because
 * older JavaScript parsers treat them as line ends. JSON.parse reads the escapes back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * A third-party script's source made safe to inline in a `<script>` element: every `</script`
 * (any case) becomes `<\/script`, and `<!--` becomes `\x3C!--`. Inside JavaScript string, template
 * and regex literals — where these sequences occur in real code — `\/` is `/` and `\x3C` is `<`
 * (also with the regex `u` flag), so the code is unchanged; in HTML they can no longer end the
 * element or open the "script data escaped" state that would swallow the closing tag.
 */
export function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '\\x3C!--');
}

/** A stylesheet made safe to inline in a `<style>` element (a `</style` cannot end it early). */
export function inlineStyle(source: string): string {
  return source.replace(/<\/(style)/gi, '<\\/$1');
}
