import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Page } from 'playwright-core';
import Provider from 'oidc-provider';
import { waitForRenderedText } from './browser';

// A real OpenID Connect provider for the approval service's tests (docs/approvals-locks-windows.md "Approval service").
const artifacts = path.resolve(__dirname, '..', '..', 'test-artifacts');

/** In the browser: the link, the identity provider's sign-in as alice, the gate page, Approve with a comment. */
export async function signInAndApprove(
  page: Page,
  link: string,
  expected: string[],
  screenshot: string,
): Promise<void> {
  await page.goto(link);
  await page.locator('input[name=login]').fill('alice');
  await page.locator('input[name=password]').fill('any');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await waitForRenderedText(page, 'signed in as alice');
  for (const text of expected) await waitForRenderedText(page, text);
  await page.locator('textarea[name=comment]').fill('go-live checklist done');
  await page.getByRole('button', { name: 'Approve' }).click();
  await waitForRenderedText(page, 'Your approve counted (signed by approval-service for alice)');
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, screenshot), fullPage: true });
}

/** oidc-provider with its development sign-in pages (any login, any password) and two clients: the service, the CLI. */
export async function startIdentityProvider(port: number, serviceUrl: string): Promise<http.Server> {
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [
      {
        client_id: 'stagecoach-approvals',
        client_secret: 'a-test-client-secret',
        redirect_uris: [`${serviceUrl}/callback`],
      },
      // `stagecoach login`: a public client on the device flow.
      {
        client_id: 'stagecoach-cli',
        token_endpoint_auth_method: 'none',
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code'],
        response_types: [],
        redirect_uris: [],
      },
    ],
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id, preferred_username: id }) }),
    claims: { openid: ['sub'], profile: ['preferred_username'] },
    cookies: { keys: ['a-test-cookie-key'] },
    features: { devInteractions: { enabled: true }, deviceFlow: { enabled: true } },
  });
  const server = http.createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}
