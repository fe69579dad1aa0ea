/**
 * A loopback AWS STS endpoint for AssumeRole (the query protocol: a form body in, XML out), as
 * an assume-role profile reaches it through AWS_ENDPOINT_URL_STS. It records the region each
 * request's SigV4 credential scope names (the region the caller's STS client chose) and issues
 * `credentials` with an expiry an hour away.
 *
 * ```ts
 * const sts = await startMockAwsSts({ credentials: { accessKeyId: "ASIA…", secretAccessKey: "s", sessionToken: "t" } });
 * process.env.AWS_ENDPOINT_URL_STS = sts.url;
 * sts.scopes; // [{ region: "eu-west-3", action: "AssumeRole" }]
 * ```
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface MockAwsSts {
  url: string;
  /** Each request's action and the region of its signature's credential scope. */
  scopes: { action: string; region: string | undefined }[];
  close(): Promise<void>;
}

export async function startMockAwsSts(opts: {
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
}): Promise<MockAwsSts> {
  const scopes: MockAwsSts["scopes"] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/sts\/aws4_request/.exec(
        req.headers.authorization ?? "",
      );
      scopes.push({ action: form.get("Action") ?? "", region: scope?.[1] });
      const c = opts.credentials;
      const expiration = new Date(Date.now() + 3_600_000).toISOString();
      const xml =
        '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>' +
        `<Credentials><AccessKeyId>${c.accessKeyId}</AccessKeyId><SecretAccessKey>${c.secretAccessKey}</SecretAccessKey>` +
        `<SessionToken>${c.sessionToken}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
        "<AssumedRoleUser><AssumedRoleId>AROAMOCK:agw</AssumedRoleId>" +
        "<Arn>arn:aws:sts::123456789012:assumed-role/agw-test/agw</Arn></AssumedRoleUser>" +
        "</AssumeRoleResult><ResponseMetadata><RequestId>mock</RequestId></ResponseMetadata></AssumeRoleResponse>";
      res.writeHead(200, { "content-type": "text/xml", "content-length": Buffer.byteLength(xml) });
      res.end(xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    scopes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
