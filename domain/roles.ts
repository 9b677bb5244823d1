/**
 * Who may act (docs/approvals-locks-windows.md "Who may act"; docs/mass-deployment-and-promotions.md "Roles"):
 * `bundle-admin` manages bundles; `promotion-admin` manages targets and promotes, schedules, reschedules,
 * cancels and backs out; `deployment-admin` starts, resolves and cancels mass deployments; `lock-admin`
 * force-releases instance locks; `release-manager` starts releases (besides the release managers the
 * inventory's release settings name); `admin` encompasses all five. The user a target names must hold
 * `accept-bundle` for the target to accept what is promoted to it. Members come from the inventory's
 * `roles` section (role → user names).
 */
export const ROLES = {
  admin: 'admin',
  bundleAdmin: 'bundle-admin',
  promotionAdmin: 'promotion-admin',
  deploymentAdmin: 'deployment-admin',
  lockAdmin: 'lock-admin',
  releaseManager: 'release-manager',
  acceptBundle: 'accept-bundle',
} as const;
export type Role = (typeof ROLES)[keyof typeof ROLES];
/** The older name, from when only bundles had roles. */
export type BundleRole = Role;

export type RoleMembers = Record<string, string[]>;

/** Roles that `admin` also grants. */
const ENCOMPASSED_BY_ADMIN: Role[] = [
  ROLES.bundleAdmin,
  ROLES.promotionAdmin,
  ROLES.deploymentAdmin,
  ROLES.lockAdmin,
  ROLES.releaseManager,
];

/** Everyone who holds `role`, directly or through `admin`: what a workflow carries to check requests itself. */
export function membersOf(members: RoleMembers, role: Role): string[] {
  const admins = ENCOMPASSED_BY_ADMIN.includes(role) ? (members[ROLES.admin] ?? []) : [];
  return [...new Set([...(members[role] ?? []), ...admins])];
}

export function hasRole(members: RoleMembers, user: string, role: BundleRole): boolean {
  if ((members[role] ?? []).includes(user)) return true;
  return ENCOMPASSED_BY_ADMIN.includes(role) && (members[ROLES.admin] ?? []).includes(user);
}

export function rolesOf(members: RoleMembers, user: string): string[] {
  return Object.keys(members)
    .filter((role) => members[role].includes(user))
    .sort();
}

/**
 * The refusal a user gets, naming the user, the action, the role it needs and the roles the
 * user has; undefined when allowed.
 */
export function refusalFor(members: RoleMembers, user: string, role: BundleRole, action: string): string | undefined {
  if (!user?.trim()) return `${action}: no user given; the action needs role ${role}`;
  if (hasRole(members, user, role)) return undefined;
  const held = rolesOf(members, user);
  const alternatives = ENCOMPASSED_BY_ADMIN.includes(role) ? ` (or ${ROLES.admin})` : '';
  return `user '${user}' may not ${action}: it needs role ${role}${alternatives}; ${user} has ${held.length ? `roles ${held.join(', ')}` : 'no role'}`;
}
