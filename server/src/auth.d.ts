/** Guest tokens live this long. */
export declare const GUEST_TOKEN_TTL_S: number;
export interface GuestIdentity {
    userId: string;
    name: string;
}
export interface IssuedToken extends GuestIdentity {
    token: string;
    /** Expiry, seconds since the epoch. */
    expiresAt: number;
}
/** Signs a token for a new guest named `name` (already cleaned). */
export declare function issueGuestToken(secret: Uint8Array, name: string, ttlSeconds?: number): Promise<IssuedToken>;
export declare class AuthError extends Error {
    name: string;
}
/** Checks signature, issuer, audience and expiry; throws an AuthError saying which failed. */
export declare function verifyGuestToken(secret: Uint8Array, token: unknown): Promise<GuestIdentity>;
