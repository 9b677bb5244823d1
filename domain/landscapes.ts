/** Landscapes of docs/domain.md: each hosts one instance per tenant. */
export const LANDSCAPES = ['production', 'staging', 'uat', 'pilot', 'development', 'other'] as const;
export type Landscape = (typeof LANDSCAPES)[number];

/** A tenant instance: a tenant in one landscape. What workflows pass around: never a secret. */
export interface InstanceRef {
  tenant: string;
  landscape: Landscape;
}

/** Stable key of an instance, used in workflow ids (`lock/<tenant>/<landscape>`). */
export function instanceKey(instance: InstanceRef): string {
  return `${instance.tenant}/${instance.landscape}`;
}
