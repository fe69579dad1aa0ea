import { describe, expect, it } from "vitest";
import { redactUrlCredentials } from "../../src/http/url-credentials.js";

describe("redactUrlCredentials", () => {
  it.each([
    ["https://user:pw-secret@api.example.com/v1", "https://[redacted]@api.example.com/v1"],
    ["https://only-a-token@host/x", "https://[redacted]@host/x"],
    [
      "https://h/v1?api_key=s3cret&model=x&key=k2&token=t&access_token=a&sig=s&signature=g&secret=q&password=p",
      "https://h/v1?api_key=[redacted]&model=x&key=[redacted]&token=[redacted]&access_token=[redacted]&sig=[redacted]&signature=[redacted]&secret=[redacted]&password=[redacted]",
    ],
    ["https://h/x?X-Amz-Signature=abc&X-Amz-Date=1", "https://h/x?X-Amz-Signature=[redacted]&X-Amz-Date=1"],
    ["https://h/x?API%5FKEY=abc", "https://h/x?API%5FKEY=[redacted]"],
    [
      'url "http://u:p@127.0.0.1:9/v1?key=z" failed; see http://docs.example.com/a?page=2',
      'url "http://[redacted]@127.0.0.1:9/v1?key=[redacted]" failed; see http://docs.example.com/a?page=2',
    ],
  ])("%s", (input, expected) => {
    expect(redactUrlCredentials(input)).toBe(expected);
  });

  it("leaves text without credentials alone", () => {
    for (const t of ["http://127.0.0.1:8080/v1", "no url here: key=value", "https://h/a?b=c#key=d", "x@y.z"])
      expect(redactUrlCredentials(t)).toBe(t);
  });
});
