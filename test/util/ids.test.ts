import { describe, expect, it } from "vitest";
import { createVersion, parseMigrationId, toPascalCase, toSnakeCase } from "../../src/util/ids.ts";

describe("ids", () => {
  it("creates a UTC version, one second after the newest when that is not in the past", () => {
    const now = new Date(Date.UTC(2026, 10, 23, 12, 0, 5));
    expect(createVersion(now)).toBe("20261123120005");
    expect(createVersion(now, "20261123120005")).toBe("20261123120006");
    expect(createVersion(now, "20991231235959")).toBe("21000101000000");
    expect(createVersion(now, "20200101000000")).toBe("20261123120005");
  });

  it("parses ids and converts names", () => {
    expect(parseMigrationId("20261123120000_create_users")).toEqual({ id: "20261123120000_create_users", version: "20261123120000", name: "create_users" });
    expect(parseMigrationId("create_users")).toBeUndefined();
    // dbmate takes any name that starts with digits.
    expect(parseMigrationId("0002-add-users")).toEqual({ id: "0002-add-users", version: "0002", name: "add-users" });
    expect(parseMigrationId("20240101")).toEqual({ id: "20240101", version: "20240101", name: "20240101" });
    expect(parseMigrationId("v2_users")).toBeUndefined();
    expect(toSnakeCase("AddUserProfile")).toBe("add_user_profile");
    expect(toSnakeCase("add-user profile")).toBe("add_user_profile");
    expect(toPascalCase("add_user_profile")).toBe("AddUserProfile");
  });
});
