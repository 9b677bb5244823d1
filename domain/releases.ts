/**
 * The release lifecycle of docs/releases.md: inputs, phases and
 * the status a release reports. Pure: shared by the workflow, the client and the tests.
 */
import type { ReleaseInput } from '../contracts/releases';
import type { Landscape } from './landscapes';

/** Wire values: stored in the histories of running releases. */
export const RELEASE_VARIANTS = ['standard', 'withoutUat', 'initialProvisioning'] as const;
export type ReleaseVariant = (typeof RELEASE_VARIANTS)[number];
/**
 * Where a release stands; also its `StagecoachPhase` search attribute. `provision` is the
 * initial-provisioning variant's first step (production 0.0 from a template, staging from it).
 */
export type ReleasePhase =
  | 'starting'
  | 'provision'
  | 'baseline'
  | 'configure'
  | 'uat-refresh'
  | 'uat-push'
  | 'acceptance'
  | 'production-push'
  | 'afterwards'
  | 'completed'
  | 'cancelled'
  | 'failed';

/** Problems with a release input, each naming the field; empty when it can start. */
export function releaseInputProblems(input: ReleaseInput): string[] {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(input.tenant ?? ''))
    problems.push(`tenant '${input.tenant}' must be lower-case letters, digits and dashes`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(input.version ?? ''))
    problems.push(`version '${input.version}' must be letters, digits, dots, dashes or underscores`);
  if (!input.startedBy?.trim()) problems.push('startedBy must name the release manager who starts the release');
  const variant = input.variant ?? 'standard';
  if (!(RELEASE_VARIANTS as readonly string[]).includes(variant))
    problems.push(`variant must be one of ${RELEASE_VARIANTS.join(', ')}, not '${variant}'`);
  if (variant === 'initialProvisioning') {
    if (!input.templatePackage)
      problems.push('initialProvisioning needs templatePackage (the template production 0.0 is created from)');
    if (!input.goLiveDate || Number.isNaN(Date.parse(input.goLiveDate)))
      problems.push(`initialProvisioning needs goLiveDate as an ISO date, not '${input.goLiveDate}'`);
  }
  if (input.packages && input.packages.length === 0)
    problems.push('packages, when given, must name at least one package');
  return problems;
}

/** Landscapes a variant works on: production and staging always, UAT in a standard release. */
export function landscapesOf(variant: ReleaseVariant): Landscape[] {
  return variant === 'standard' ? ['production', 'staging', 'uat'] : ['production', 'staging'];
}
