import { ApplicationFailure } from '@temporalio/activity';
import { refusalFor, type Role, type RoleMembers } from '../../domain/roles';

/**
 * docs/approvals-locks-windows.md "Who may act": a workflow asks before a privileged action on behalf
 * of a named user; the inventory the worker runs with says who holds which role.
 */
export function createAuthorizationActivities(deps: { roles: () => RoleMembers }) {
  return {
    /** Fails non-retryably (PermissionDenied) naming the user, the action and the role it needs. */
    async authorizeAction(input: { user: string; role: Role; action: string }): Promise<void> {
      const refusal = refusalFor(deps.roles(), input.user, input.role, input.action);
      if (refusal) throw ApplicationFailure.nonRetryable(refusal, 'PermissionDenied');
    },
  };
}
