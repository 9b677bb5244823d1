import type { BundleAdminRequest, BundleAdminResult } from '../../contracts/promotions';
import { instanceKey, LANDSCAPES, type InstanceRef } from '../../domain/landscapes';
import { checkName, type PromotionTarget } from '../../domain/promotions/bundle-types';
import { hasRole, ROLES } from '../../domain/roles';
import { invalid, requireRole, type BundleActivityDependencies } from './bundle-dependencies';
import { resolveSelectors } from './metadata-items';
import { CREDENTIAL_REF } from '../../domain/secrets';

export function createBundleAdminActivities(deps: BundleActivityDependencies) {
  const now = () => deps.clock.now().toISOString();
  const bundleOf = async (name: string) =>
    (await deps.bundles.getBundle(name)) ?? invalid(`bundle '${name}' does not exist`);

  return {
    async manageBundle(request: BundleAdminRequest): Promise<BundleAdminResult> {
      switch (request.action) {
        case 'create-bundle': {
          requireRole(deps, request.user, ROLES.bundleAdmin, `create bundle '${request.bundle}'`);
          const problem = checkName('bundle', request.bundle) ?? checkInstance(request.source);
          if (problem) invalid(problem);
          await deps.tenantDatabases().knexFor(request.source); // an unknown source fails here, naming it
          const created = await deps.bundles.createBundle({
            name: request.bundle,
            source: request.source,
            description: request.description,
            createdBy: request.user,
            createdAt: now(),
          });
          const existing = await bundleOf(request.bundle);
          if (!created && existing.createdBy !== request.user)
            invalid(`bundle '${request.bundle}' exists already (created by ${existing.createdBy})`);
          return { message: `bundle '${request.bundle}' of ${instanceKey(request.source)} created`, bundle: existing };
        }
        case 'add-items': {
          requireRole(deps, request.user, ROLES.bundleAdmin, `add items to bundle '${request.bundle}'`);
          const bundle = await bundleOf(request.bundle);
          if (request.items.length === 0) invalid('add-items names no item');
          const knex = await deps.tenantDatabases().knexFor(bundle.source);
          const items = await resolveSelectors(knex, request.items, instanceKey(bundle.source));
          await deps.bundles.addItems(
            bundle.name,
            items.map((item) => ({
              guid: item.guid,
              objectType: item.objectType,
              businessObject: item.businessObject,
              name: item.name,
              addedBy: request.user,
              addedAt: now(),
            })),
          );
          return { message: `${items.length} item(s) in bundle '${bundle.name}'`, bundle: await bundleOf(bundle.name) };
        }
        case 'remove-items': {
          requireRole(deps, request.user, ROLES.bundleAdmin, `remove items from bundle '${request.bundle}'`);
          const removed = await deps.bundles.removeItems((await bundleOf(request.bundle)).name, request.guids);
          return {
            message: `${removed} item(s) removed from bundle '${request.bundle}'`,
            bundle: await bundleOf(request.bundle),
          };
        }
        case 'define-target':
          return defineTarget(deps, request.user, request.target, now());
        case 'show-bundle':
          requireReader(deps, request.user, `view bundle '${request.bundle}'`);
          return { message: `bundle '${request.bundle}'`, bundle: await bundleOf(request.bundle) };
        case 'list':
          requireReader(deps, request.user, 'list bundles and promotion targets');
          return {
            message: 'bundles and promotion targets',
            bundles: await deps.bundles.listBundles(),
            targets: await deps.bundles.listTargets(),
          };
        case 'history':
          requireReader(deps, request.user, 'view promotion history');
          return {
            message: 'promotion history',
            history: await deps.promotions.history(
              { bundleName: request.bundle, targetName: request.target },
              request.limit ?? 100,
            ),
          };
        default:
          return invalid(`unknown bundle action '${(request as { action: string }).action}'`);
      }
    },
  };
}

async function defineTarget(
  deps: BundleActivityDependencies,
  user: string,
  target: PromotionTarget,
  at: string,
): Promise<BundleAdminResult> {
  requireRole(deps, user, ROLES.promotionAdmin, `define promotion target '${target.name}'`);
  const problem = checkName('target', target.name) ?? checkInstance(target.instance);
  if (problem) invalid(problem);
  if (!target.targetUser?.trim())
    invalid(`promotion target '${target.name}' needs the user that accepts bundles on it`);
  if (!CREDENTIAL_REF.test(target.credentialRef ?? '')) {
    invalid(
      `promotion target '${target.name}': credentialRef must be a reference such as \${PROMOTE_PASSWORD} or vault:<path>, never the secret itself`,
    );
  }
  await deps.tenantDatabases().knexFor(target.instance);
  await deps.bundles.putTarget(target, { createdBy: user, createdAt: at });
  return {
    message: `promotion target '${target.name}' → ${instanceKey(target.instance)} as ${target.targetUser}`,
    targets: [target],
  };
}

/** Viewing bundles, targets and history: docs/mass-deployment-and-promotions.md "Roles" gives it to both admin roles. */
function requireReader(deps: BundleActivityDependencies, user: string, action: string): void {
  if (hasRole(deps.roles(), user, ROLES.promotionAdmin)) return;
  requireRole(deps, user, ROLES.bundleAdmin, action);
}

function checkInstance(instance: InstanceRef | undefined): string | undefined {
  if (!instance?.tenant || !(LANDSCAPES as readonly string[]).includes(instance.landscape)) {
    return `instance ${JSON.stringify(instance)} must be { tenant, landscape } with landscape one of ${LANDSCAPES.join(', ')}`;
  }
  return undefined;
}
