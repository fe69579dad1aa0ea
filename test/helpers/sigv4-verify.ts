/**
 * Verifies an AWS Signature Version 4 `Authorization` header the way an AWS service does, written
 * from AWS's "create a signed request" steps with node:crypto only (no @smithy/signature-v4, so a
 * signer bug cannot hide behind the same library on both sides):
 *
 * 1. canonical request = method, canonical URI (each segment of the raw path URI-encoded again, as
 *    for every service but S3: `%3A` becomes `%253A`), canonical query, the signed headers'
 *    `name:value` lines (lower-case names, trimmed values, inner spaces collapsed), the signed
 *    header list, and the hex SHA-256 of the body (a sent `x-amz-content-sha256` must equal it);
 * 2. string to sign = `AWS4-HMAC-SHA256`, x-amz-date, scope, hex SHA-256 of the canonical request;
 * 3. key = HMAC chain of `AWS4`+secret over date, region, service, `aws4_request`.
 *
 * Beyond the signature: `host` and `x-amz-date` must be signed, the scope's date must be
 * x-amz-date's, region and service must be ours, the time within 5 minutes, and a credential with a
 * session token needs a signed, equal `x-amz-security-token`.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export interface AwsCredential {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type SigV4Failure = {
  ok: false;
  /** The AWS error type, as in `x-amzn-ErrorType`. */
  type: "InvalidSignatureException" | "UnrecognizedClientException" | "IncompleteSignatureException";
  message: string;
  accessKeyId?: string;
};

export type SigV4Result = { ok: true; accessKeyId: string; sessionToken?: string } | SigV4Failure;

export interface SigV4Request {
  method: string;
  /** Path and query exactly as they came on the request line. */
  rawUrl: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SigV4Expectation {
  credentials: readonly AwsCredential[];
  region: string;
  service: string;
  now?: Date;
  /** Allowed clock difference (AWS: 5 minutes). */
  skewMs?: number;
}

const ALGORITHM = "AWS4-HMAC-SHA256";
const AUTH = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

/** RFC 3986 encoding of every byte but the unreserved set, upper-case hex, as SigV4 wants. */
export function uriEncode(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The raw path, dot segments and empty segments removed (RFC 3986), each segment encoded again. */
function canonicalUri(rawPath: string): string {
  const segs: string[] = [];
  for (const seg of rawPath.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") segs.pop();
    else segs.push(uriEncode(seg));
  }
  const trailing = segs.length > 0 && rawPath.endsWith("/") ? "/" : "";
  return `/${segs.join("/")}${trailing}`;
}

function canonicalQuery(rawQuery: string): string {
  if (rawQuery === "") return "";
  const pairs = rawQuery
    .split("&")
    .filter((p) => p !== "")
    .map((p) => {
      const i = p.indexOf("=");
      const k = decodeURIComponent(i < 0 ? p : p.slice(0, i));
      const v = i < 0 ? "" : decodeURIComponent(p.slice(i + 1).replace(/\+/g, "%20"));
      return [uriEncode(k), uriEncode(v)] as const;
    });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

function headerValue(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v.join(",") : v).trim().replace(/\s+/g, " ");
}

const sha256Hex = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string): Buffer => createHmac("sha256", key).update(data).digest();

/** Parses `YYYYMMDDTHHMMSSZ`. */
function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, se] = m.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, se));
}

export function canonicalRequest(req: SigV4Request, signedHeaders: string[], payloadHash: string): string {
  const q = req.rawUrl.indexOf("?");
  const rawPath = q < 0 ? req.rawUrl : req.rawUrl.slice(0, q);
  const rawQuery = q < 0 ? "" : req.rawUrl.slice(q + 1);
  return [
    req.method.toUpperCase(),
    canonicalUri(rawPath),
    canonicalQuery(rawQuery),
    `${signedHeaders.map((n) => `${n}:${headerValue(req.headers, n) ?? ""}`).join("\n")}\n`,
    signedHeaders.join(";"),
    payloadHash,
  ].join("\n");
}

export function verifySigV4(req: SigV4Request, want: SigV4Expectation): SigV4Result {
  const invalid = (message: string, accessKeyId?: string): SigV4Failure => ({
    ok: false,
    type: "InvalidSignatureException",
    message,
    accessKeyId,
  });
  const auth = AUTH.exec(headerValue(req.headers, "authorization") ?? "");
  if (auth === null)
    return {
      ok: false,
      type: "IncompleteSignatureException",
      message: `Authorization header is not a well-formed ${ALGORITHM} credential, signed-headers and signature triple.`,
    };
  const [, credential, signedList, signature] = auth as unknown as [string, string, string, string];
  const scope = credential.split("/");
  if (scope.length !== 5 || scope[4] !== "aws4_request")
    return {
      ok: false,
      type: "IncompleteSignatureException",
      message: `Credential scope is malformed: ${credential}`,
    };
  const [accessKeyId, scopeDate, region, service] = scope as [string, string, string, string, string];
  const cred = want.credentials.find((c) => c.accessKeyId === accessKeyId);
  if (cred === undefined)
    return { ok: false, type: "UnrecognizedClientException", message: "Unknown access key id.", accessKeyId };
  if (region !== want.region)
    return invalid(
      `Credential is scoped to region '${region}', this endpoint is '${want.region}'.`,
      accessKeyId,
    );
  if (service !== want.service)
    return invalid(`Credential is scoped to service '${service}', expected '${want.service}'.`, accessKeyId);
  const signedHeaders = signedList.split(";");
  const sorted = [...signedHeaders].sort();
  if (signedHeaders.some((h, i) => h !== sorted[i] || h !== h.toLowerCase()))
    return invalid("SignedHeaders must be lower-case and sorted.", accessKeyId);
  if (!signedHeaders.includes("host")) return invalid("'Host' must be a signed header.", accessKeyId);
  const amzDate = headerValue(req.headers, "x-amz-date");
  if (amzDate === undefined || !signedHeaders.includes("x-amz-date"))
    return invalid("x-amz-date must be sent and signed.", accessKeyId);
  const when = parseAmzDate(amzDate);
  if (when === undefined) return invalid(`x-amz-date '${amzDate}' is not YYYYMMDDTHHMMSSZ.`, accessKeyId);
  if (scopeDate !== amzDate.slice(0, 8))
    return invalid(`Credential date ${scopeDate} does not match x-amz-date ${amzDate}.`, accessKeyId);
  const now = want.now ?? new Date();
  const skew = want.skewMs ?? 5 * 60_000;
  if (Math.abs(now.getTime() - when.getTime()) > skew)
    return invalid(
      `Signature time ${amzDate} is more than ${skew / 60_000} minutes from server time ${now.toISOString()}.`,
      accessKeyId,
    );
  for (const h of signedHeaders)
    if (req.headers[h] === undefined) return invalid(`Signed header '${h}' is missing.`, accessKeyId);
  const token = headerValue(req.headers, "x-amz-security-token");
  if (cred.sessionToken !== undefined || token !== undefined) {
    if (token !== cred.sessionToken)
      return {
        ok: false,
        type: "UnrecognizedClientException",
        message: "The session token does not belong to this access key.",
        accessKeyId,
      };
    if (!signedHeaders.includes("x-amz-security-token"))
      return invalid("x-amz-security-token must be a signed header.", accessKeyId);
  }
  const bodyHash = sha256Hex(req.body);
  const claimed = headerValue(req.headers, "x-amz-content-sha256");
  if (claimed !== undefined && claimed !== bodyHash)
    return invalid("x-amz-content-sha256 does not match the SHA-256 of the body.", accessKeyId);
  // The signer hashed what the header claims; the body check above is what catches a false claim.
  const creq = canonicalRequest(req, signedHeaders, claimed ?? bodyHash);
  const stringToSign = [ALGORITHM, amzDate, scope.slice(1).join("/"), sha256Hex(creq)].join("\n");
  const kDate = hmac(`AWS4${cred.secretAccessKey}`, scopeDate);
  const kSigning = hmac(hmac(hmac(kDate, region), service), "aws4_request");
  const expected = hmac(kSigning, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(signature, "hex")))
    return invalid(
      `Signature mismatch. The canonical request we computed was:\n${creq}\n\nand the string to sign:\n${stringToSign}`,
      accessKeyId,
    );
  return { ok: true, accessKeyId, sessionToken: cred.sessionToken };
}
