import { describe, expect, it } from "vitest";
import { describeUrl, redactSecrets } from "../../src/util/redact.ts";

describe("describeUrl", () => {
  it("masks passwords, including ones containing @, : and percent escapes", () => {
    expect(describeUrl("postgres://u:s3cret@db.example:5432/app")).toBe("postgres://u:***@db.example:5432/app");
    expect(describeUrl("mysql://root:p@ss:w0rd@host/db")).toBe("mysql://root:***@host/db");
    expect(describeUrl("postgres://u:p%40ss%3Aw@host/db?sslmode=require")).toBe("postgres://u:***@host/db?sslmode=require");
    // Malformed, without "//": everything before the last "@" is masked.
    expect(describeUrl("postgres:u:S3cretPW@127.0.0.1/x")).toBe("postgres:***@127.0.0.1/x");
    expect(describeUrl("mysql:/u:S3cretPW@127.0.0.1/x")).toBe("mysql:***@127.0.0.1/x");
    expect(describeUrl("file:./data/app.db")).toBe("file:./data/app.db");
    expect(describeUrl("postgres://u@host/db")).toBe("postgres://u@host/db");
    expect(describeUrl("file:./data/app.db")).toBe("file:./data/app.db");
  });

  it("masks a password in the query, and the message after it keeps its separator", () => {
    expect(describeUrl("postgres://u@h:5999/db?password=s3cr:et&sslmode=disable")).toBe("postgres://u@h:5999/db?password=***&sslmode=disable");
    expect(redactSecrets("Could not connect to postgres://u@h:5999/db?password=s3cret: connect ECONNREFUSED")).toBe("Could not connect to postgres://u@h:5999/db?password=***: connect ECONNREFUSED");
  });

  it("never echoes a malformed URL's password", () => {
    expect(describeUrl("postgres://u:s3cret@[bad/db")).not.toContain("s3cret");
  });
});

describe("redactSecrets", () => {
  it("masks credentials in free text and registered secrets", () => {
    const text = 'connect failed for postgres://admin:hunter22@10.0.0.1/db and "token=abc123"';
    expect(redactSecrets(text)).not.toContain("hunter22");
    expect(redactSecrets("auth failed with topsecret!", ["topsecret!"])).toBe("auth failed with ***");
    expect(redactSecrets("https://hooks.example/x?token=abcdef")).toBe("https://hooks.example/x?token=***");
  });
});
