/**
 * Secrets are references, never values (docs/domain.md, docs/packages.md "Secrets"): `${ENV_NAME}`, resolved inside
 * the worker only, or `vault:<path>`.
 */
export const CREDENTIAL_REF = /^(\$\{[A-Z_][A-Z0-9_]*\}|vault:[\w./-]+)$/;

/** Keys whose values are credentials wherever they appear in a definition (any letter case, `_` optional). */
const SECRET_KEY =
  /^(password|passwd|pwd|secret|client_?secret|api_?key|(access|refresh|auth|bearer)?_?token|private_?key|bind_?password|connection_?string|shared_?key)$/i;

/** A credential written out in clear: a secret key holding a non-empty string that is not a reference. */
export function isClearTextSecret(key: string, value: unknown): boolean {
  return SECRET_KEY.test(key) && typeof value === 'string' && value !== '' && !CREDENTIAL_REF.test(value);
}
