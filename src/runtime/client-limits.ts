/** What a client may cost a server before it has sent a whole request (slowloris and header limits). */
export interface ClientLimits {
  readonly headersTimeoutMs: number;
  /** 0 = none. */
  readonly requestTimeoutMs: number;
  readonly maxHeaderSize: number;
  readonly maxHeaders: number;
}

export const DEFAULT_CLIENT_LIMITS: ClientLimits = Object.freeze({
  headersTimeoutMs: 30_000,
  requestTimeoutMs: 300_000,
  maxHeaderSize: 16 * 1024,
  maxHeaders: 100,
});
