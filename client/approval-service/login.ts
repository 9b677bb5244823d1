/**
 * `stagecoach login` (docs/approvals-locks-windows.md "Approval service"): the OAuth device flow against the
 * identity provider the approval service names, so an approver signs in on any browser and the command line
 * then decides through the service. The access token is kept in a file only its owner reads.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as oidc from 'openid-client';

export interface StoredSignIn {
  accessToken: string;
  /** ISO time the token stops working, when the provider said. */
  expiresAt?: string;
}

/** Where sign-ins are kept: STAGECOACH_CREDENTIALS, else the user's config directory. */
export function credentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STAGECOACH_CREDENTIALS) return env.STAGECOACH_CREDENTIALS;
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'stagecoach', 'credentials.json');
}

export function storedSignIn(serviceUrl: string, env: NodeJS.ProcessEnv = process.env): StoredSignIn | undefined {
  try {
    const all = JSON.parse(fs.readFileSync(credentialsFile(env), 'utf8')) as Record<string, StoredSignIn>;
    const found = all[serviceUrl];
    return found && (!found.expiresAt || Date.parse(found.expiresAt) > Date.now()) ? found : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the device flow; `show` tells the person where to go and which code to enter. Resolves once signed in. */
export async function deviceSignIn(serviceUrl: string, show: (url: string, code: string) => void): Promise<string> {
  const response = await fetch(`${serviceUrl}/api/sign-in`).catch(() => undefined);
  if (!response?.ok) throw new Error(`no approval service answers at ${serviceUrl}`);
  const settings = (await response.json()) as { issuer: string; clientId: string | null };
  if (!settings.clientId) throw new Error(`the approval service at ${serviceUrl} offers no command-line sign-in`);
  const issuer = new URL(settings.issuer);
  const config = await oidc.discovery(
    issuer,
    settings.clientId,
    undefined,
    oidc.None(),
    issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined,
  );
  const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid profile' });
  show(device.verification_uri_complete ?? device.verification_uri, device.user_code);
  const tokens = await oidc.pollDeviceAuthorizationGrant(config, device);
  const file = credentialsFile();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let all: Record<string, StoredSignIn> = {};
  try {
    all = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, StoredSignIn>;
  } catch {
    // First sign-in on this machine.
  }
  const expiresIn = tokens.expiresIn();
  all[serviceUrl] = {
    accessToken: tokens.access_token,
    ...(expiresIn ? { expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString() } : {}),
  };
  fs.writeFileSync(file, JSON.stringify(all, null, 2), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return file;
}

/** A decision sent through the service with the stored sign-in. */
export async function decideThroughService(
  serviceUrl: string,
  signIn: StoredSignIn,
  request: { workflowId: string; gate?: string; decision: 'approve' | 'reject'; comment?: string; user?: string },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${serviceUrl}/api/decide`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${signIn.accessToken}` },
    body: JSON.stringify(request),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
