/** @module Test support: the fields of a Kubernetes object its type does not have, from @kubernetes/client-node's generated models (kubernetes-models' schemas allow unknown fields). */
import * as k8s from '@kubernetes/client-node';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

type AttributeMap = { baseName: string; type: string }[];

/** The fields of a Kubernetes type as @kubernetes/client-node's generated model lists them (undefined for scalars). */
function attributesOf(type: string): AttributeMap | undefined {
  const model: unknown = (k8s as Record<string, unknown>)[type];
  if (typeof model !== 'function' || !('getAttributeTypeMap' in model) || typeof model.getAttributeTypeMap !== 'function') return undefined;
  return (model.getAttributeTypeMap as () => AttributeMap)();
}

/**
 * Every field of `value` its Kubernetes type does not have (a typo the API server would silently
 * drop), walking the models of @kubernetes/client-node (generated from Kubernetes' OpenAPI).
 */
export function unknownFields(value: unknown, type: string, path: string): string[] {
  const array = /^Array<(.+)>$/.exec(type);
  if (array?.[1] !== undefined) {
    const item = array[1];
    return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, item, `${path}[${i}]`)) : [];
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map?.[1] !== undefined) {
    const item = map[1];
    return isRecord(value) ? Object.entries(value).flatMap(([k, v]) => unknownFields(v, item, `${path}.${k}`)) : [];
  }
  const attributes = attributesOf(type);
  if (attributes === undefined || !isRecord(value)) return [];
  const fields = new Map(attributes.map((a) => [a.baseName, a.type]));
  return Object.entries(value).flatMap(([k, v]) => {
    const t = fields.get(k);
    return t === undefined ? [`${path}.${k}`] : unknownFields(v, t, `${path}.${k}`);
  });
}
