/** Where an upstream is and how its URL is formed. */
export interface UpstreamTarget {
  /** Key of the connection pool: the origin dialled (plus TLS server name when it differs). */
  readonly poolKey: string;
  /** The origin dialled: the base URL's, or hostOverride's with the base URL's scheme. */
  readonly connectOrigin: string;
  /** TLS server name when hostOverride dials another host over https. */
  readonly servername: string | undefined;
  /** The Host header sent upstream. */
  readonly hostHeader: string;
  /** The base URL's path without a trailing slash ("" for none). */
  readonly basePath: string;
  /** The base path ends in /v1: a leading /v1 of the incoming path is dropped. */
  readonly stripV1: boolean;
}
