import { describe, expect, expectTypeOf, it } from "vitest";
import { abort, defineConfig, definePlugin, type ErrorInfo, type HookContext, type HookPayloads, type Plugin, type PluginCommandContext, type PluginInput, type StrataConfig } from "../../src/index.ts";
import { notify, type NotifyOptions } from "../../plugins/notification/index.ts";

/**
 * Type-level checks: `npx tsc --noEmit -p .` fails when a `@ts-expect-error` line stops being
 * an error, or an `expectTypeOf` no longer holds. At run time these calls only build objects.
 */
describe("definePlugin types", () => {
  it("infers each handler's payload from the hook name", () => {
    const plugin = definePlugin({
      name: "typed",
      hooks: {
        "run:start": (payload, context) => {
          expectTypeOf(payload.plan).toEqualTypeOf<{ id: string; name: string; direction: "up" | "down" }[]>();
          expectTypeOf(payload.command).toBeString();
          expectTypeOf(payload.dryRun).toBeBoolean();
          expectTypeOf(context).toEqualTypeOf<HookContext>();
        },
        "migration:after": ({ id, durationMs, batch }) => {
          expectTypeOf(id).toBeString();
          expectTypeOf(durationMs).toBeNumber();
          expectTypeOf(batch).toEqualTypeOf<number | undefined>();
        },
        "migration:error": ({ error }) => {
          expectTypeOf(error).toEqualTypeOf<ErrorInfo>();
        },
        "run:end": {
          order: "post",
          handler: async (payload) => {
            expectTypeOf(payload).toEqualTypeOf<HookPayloads["run:end"]>();
            expectTypeOf(payload.error).toEqualTypeOf<ErrorInfo | undefined>();
          },
        },
        "transform:progress": ({ etaMs }) => {
          expectTypeOf(etaMs).toEqualTypeOf<number | null>();
        },
        "seed:after": ({ seeders, success }) => {
          expectTypeOf(seeders).toEqualTypeOf<string[]>();
          expectTypeOf(success).toBeBoolean();
        },
      },
      commands: [
        {
          name: "hello",
          description: "typed command",
          run(ctx) {
            expectTypeOf(ctx).toEqualTypeOf<PluginCommandContext>();
            expectTypeOf(ctx.args).toEqualTypeOf<string[]>();
          },
        },
      ],
    });
    expectTypeOf(plugin).toExtend<Plugin>();
    expectTypeOf(plugin.name).toBeString();
    expectTypeOf(abort).returns.toBeNever();
    expect(plugin.name).toBe("typed");
  });

  it("a wrong hook name, a wrong payload field or a wrong order is a type error", () => {
    definePlugin({
      name: "wrong-hook",
      hooks: {
        // @ts-expect-error: no such hook
        "migration:beforee": () => {},
      },
    });
    definePlugin({
      name: "wrong-field",
      hooks: {
        "migration:before": (payload) => {
          // @ts-expect-error: migration:before has no durationMs (migration:after has)
          void payload.durationMs;
        },
        "run:start": (payload) => {
          // @ts-expect-error: run:start has a plan, not the applied ids
          void payload.applied;
        },
      },
    });
    definePlugin({
      name: "wrong-type",
      hooks: {
        // @ts-expect-error: the payload of run:end is not a number
        "run:end": (payload: number) => void payload,
      },
    });
    definePlugin({
      name: "wrong-order",
      hooks: {
        // @ts-expect-error: order is "pre" or "post"
        "run:end": { handler: () => {}, order: "first" },
      },
    });
    // @ts-expect-error: enforce is "pre" or "post"
    definePlugin({ name: "wrong-enforce", enforce: "last", hooks: {} });
    // @ts-expect-error: a plugin has a name
    definePlugin({ hooks: {} });
  });
});

describe("defineConfig types", () => {
  it("plugins accepts plugins, falsy entries and nested arrays, not factories", () => {
    const a = definePlugin({ name: "a", hooks: {} });
    const config = defineConfig({ plugins: [a, false, null, undefined, [a, [notify({ webhook: undefined })]], process.env.X ? a : false] });
    expectTypeOf(config).toExtend<StrataConfig>();
    expectTypeOf<NonNullable<StrataConfig["plugins"]>[number]>().toEqualTypeOf<PluginInput>();
    // @ts-expect-error: a factory must be called
    defineConfig({ plugins: [notify] });
    // @ts-expect-error: a string is not a plugin
    defineConfig({ plugins: ["notify"] });
  });

  it("notify() options are typed", () => {
    expectTypeOf(notify).parameter(0).toEqualTypeOf<NotifyOptions | undefined>();
    expectTypeOf(notify({ webhook: "https://example.com/hook" })).toEqualTypeOf<Plugin>();
    // The same mistakes from untyped JavaScript are CONFIG_INVALID at run time.
    // @ts-expect-error: on is "success" | "failure" | "both"
    expect(() => notify({ on: "always" })).toThrow(expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringContaining('"on"') }));
    // @ts-expect-error: header values are strings
    expect(() => notify({ headers: { authorization: 42 } })).toThrow(expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringContaining('"headers"') }));
  });
});
