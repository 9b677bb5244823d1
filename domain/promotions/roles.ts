/**
 * Roles of docs/mass-deployment-and-promotions.md: `bundle-admin` manages bundles, `promotion-admin` manages targets and
 * promotes, schedules, reschedules, cancels and backs out; `admin` encompasses both. The user a
 * target names must hold `accept-bundle` for the target to accept what is promoted to it.
 * Members come from the inventory's `roles` section (role → user names).
 */
export const ROLES = {
  admin: 'admin',
  bundleAdmin: 'bundle-admin',
  promotionAdmin: 'promotion-admin',
  acceptBundle: 'accept-bundle',
} as const;
export type BundleRole = (typeof ROLES)[keyof typeof ROLES];

export type RoleMembers = Record<string, string[]>;

/** Roles that `admin` also grants (docs/mass-deployment-and-promotions.md "Roles"). */
const ENCOMPASSED_BY_ADMIN: BundleRole[] = [ROLES.bundleAdmin, ROLES.promotionAdmin];

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
