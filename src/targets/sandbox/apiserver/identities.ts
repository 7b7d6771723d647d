/**
 * @module Who a request is: the users the sandbox API server authenticates by bearer token, as a
 * real kube-apiserver's static token file maps each token to a user name and groups.
 */

/** An authenticated (or anonymous) user, as kube-apiserver's user.Info: the name and the groups APF and RBAC match. */
export interface UserInfo {
  readonly username: string;
  readonly groups: readonly string[];
}

/** One accepted bearer token and the user it stands for. */
export interface TokenIdentity {
  readonly token: string;
  readonly user: UserInfo;
}

/** A ServiceAccount by namespace and name. */
export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

/** The group every authenticated user has. */
export const allAuthenticated = 'system:authenticated';
/** The groups of a request without credentials (on the paths that allow it). */
export const anonymousUser: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

/** The tool's own user: a cluster admin, so APF's mandatory `exempt` FlowSchema never limits it. */
export const sandboxAdmin: UserInfo = { username: 'loadtest-admin', groups: ['system:masters', allAuthenticated] };

/** bindy's ServiceAccount in its own deploy manifest (namespace bindy-system, name bindy): the operator twin's identity. */
export const bindyServiceAccount: ServiceAccountRef = { namespace: 'bindy-system', name: 'bindy' };

/** The user name of a ServiceAccount's tokens: `system:serviceaccount:<namespace>:<name>`. */
export function serviceAccountUsername(sa: ServiceAccountRef): string {
  return `system:serviceaccount:${sa.namespace}:${sa.name}`;
}

/** The user a ServiceAccount token authenticates as, with the groups kube-apiserver gives it. */
export function serviceAccountUser(sa: ServiceAccountRef): UserInfo {
  return { username: serviceAccountUsername(sa), groups: ['system:serviceaccounts', `system:serviceaccounts:${sa.namespace}`, allAuthenticated] };
}

/** The ServiceAccount a user name stands for, or undefined when it is not a ServiceAccount's. */
export function serviceAccountOf(username: string): ServiceAccountRef | undefined {
  const parts = username.split(':');
  if (parts.length !== 4 || parts[0] !== 'system' || parts[1] !== 'serviceaccount') return undefined;
  const [, , namespace, name] = parts;
  return namespace === undefined || name === undefined || namespace === '' || name === '' ? undefined : { namespace, name };
}
