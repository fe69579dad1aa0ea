/**
 * AWS SigV4 for Bedrock: each request is signed (service `bedrock`, the provider's region) with
 * credentials from the AWS default chain (@aws-sdk/credential-providers: environment, shared
 * config and profiles, SSO, web identity, ECS container and EC2 instance metadata), loaded on
 * the first request that needs them, so a config without Bedrock never loads the SDK. The
 * chain's provider is memoized by the SDK and fetches again inside the last five minutes before
 * the credentials expire, so signing never uses credentials about to lapse; concurrent requests
 * share one fetch. Only `host` (and the x-amz-* headers the signer adds) are signed: the
 * request policies may still edit other headers without breaking the signature.
 * A signature carries its time, which AWS refuses more than 5 minutes from its own: as the AWS
 * SDKs do, a machine clock that far off is corrected by the Date of Bedrock's answers.
 */
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { AuthorizeError, type RequestAuthorizer, type SignableRequest } from "../spec.js";

/** Where signing credentials for a region come from; the default is the AWS default chain. */
export type CredentialsFactory = (region: string) => Promise<AwsCredentialIdentityProvider>;

/**
 * The chain as a Bedrock client of the SDK in `region` has it: a role it assumes (a profile's
 * role_arn, a web identity) asks STS in that region unless the profile names one. Without it,
 * STS was asked in AWS_REGION or else us-east-1, which another partition, or a network whose
 * only route to AWS is the region's endpoints, cannot reach.
 */
const defaultChain: CredentialsFactory = async (region) => {
  const { fromNodeProviderChain } = await import("@aws-sdk/credential-providers");
  return fromNodeProviderChain({ parentClientConfig: { region } });
};

interface Signer {
  sign(request: SignableRequest, signingDate: Date): Promise<Record<string, string>>;
}

/** AWS's allowance between a signature's time and its own clock. */
const MAX_SKEW_MS = 5 * 60_000;

async function makeSigner(region: string, credentials: AwsCredentialIdentityProvider): Promise<Signer> {
  const [{ SignatureV4 }, { Hash }] = await Promise.all([
    import("@smithy/signature-v4"),
    import("@smithy/hash-node"),
  ]);
  const signer = new SignatureV4({
    service: "bedrock",
    region,
    credentials,
    sha256: Hash.bind(null, "sha256"),
    // Bedrock, like every service but S3, signs the path encoded once more than it is sent.
    uriEscapePath: true,
    applyChecksum: true,
  });
  return {
    async sign(request: SignableRequest, signingDate: Date): Promise<Record<string, string>> {
      const q = request.path.indexOf("?");
      const query: Record<string, string> = {};
      if (q !== -1) for (const [k, v] of new URLSearchParams(request.path.slice(q + 1))) query[k] = v;
      const signed = await signer.sign(
        {
          method: request.method,
          protocol: "https:",
          hostname: request.host.replace(/:\d+$/, ""),
          path: q === -1 ? request.path : request.path.slice(0, q),
          query,
          headers: { host: request.host },
          body: request.body,
        },
        { signingDate },
      );
      return signed.headers;
    },
  };
}

/** The headers a signature adds, in the order they are sent (host is sent already). */
const SIGNED_HEADERS = [
  "authorization",
  "x-amz-date",
  "x-amz-security-token",
  "x-amz-content-sha256",
] as const;

export function sigv4Authorizer(
  region: string,
  credentials: CredentialsFactory = defaultChain,
): RequestAuthorizer {
  let signer: Promise<Signer> | undefined;
  // How far Bedrock's clock is ahead of this machine's, once it was seen to be off (ms).
  let clockOffsetMs = 0;
  const signerOnce = (): Promise<Signer> => {
    if (signer === undefined) {
      const made = credentials(region).then((provider) => makeSigner(region, provider));
      // A failure is not kept: the next request tries again.
      made.catch(() => {
        if (signer === made) signer = undefined;
      });
      signer = made;
    }
    return signer;
  };
  return Object.freeze({
    source: "the AWS default credential chain (SigV4)",
    headerNames: Object.freeze([...SIGNED_HEADERS]),
    secretHeaderNames: Object.freeze(["x-amz-security-token"]),
    async authorize(request?: SignableRequest): Promise<readonly string[]> {
      if (request === undefined) throw new Error("a SigV4 signature needs the request it signs");
      let headers: Record<string, string>;
      try {
        headers = await (await signerOnce()).sign(request, new Date(Date.now() + clockOffsetMs));
      } catch (err) {
        throw new AuthorizeError(503, credentialFailure(err));
      }
      const out: string[] = [];
      for (const name of SIGNED_HEADERS) {
        const value = headers[name];
        if (value !== undefined) out.push(name, value);
      }
      return out;
    },
    observeDate(date: string): boolean {
      const server = Date.parse(date);
      if (Number.isNaN(server)) return false;
      const offset = server - Date.now();
      // Within AWS's allowance the clock is left alone: Date has a resolution of one second.
      if (Math.abs(offset - clockOffsetMs) <= MAX_SKEW_MS) return false;
      clockOffsetMs = offset;
      return true;
    },
  });
}

/**
 * What the caller is told when no credentials were found. The SDK's own messages name the
 * providers it tried and never a secret, but are long; the class of failure is enough.
 */
function credentialFailure(err: unknown): string {
  const name = (err as { name?: unknown } | null)?.name;
  const why = name === "CredentialsProviderError" ? "none of its sources gave credentials" : "it failed";
  return (
    `AWS credentials for Bedrock could not be obtained from the default chain (${why}): set ` +
    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, a web identity, or run with a role; or give the provider a Bedrock API key as credential."
  );
}
