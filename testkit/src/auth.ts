/** Guest sign-in through the HTTP API, as a player's browser does it. */
import { Client } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";

/** Signs in as a guest at `url` and returns the token; throws with the status and body when refused. */
export async function guestToken(url: string, name: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/guest`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`guest sign-in failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export interface SignedIn {
  client: Client;
  token: string;
}

/** Signs in at `url` and returns an SDK client carrying the token (aimed at `clientUrl`, e.g. through a proxy). */
export async function signIn(url: string, name: string, clientUrl = url): Promise<SignedIn> {
  const token = await guestToken(url, name);
  const client = new JoinClient(clientUrl);
  client.auth.token = token;
  return { client, token };
}
