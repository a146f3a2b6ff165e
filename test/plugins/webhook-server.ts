import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { onTestFinished } from "vitest";

export interface ReceivedRequest {
  method: string;
  /** Path and query as requested. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
}

/** How the server answers one request: a status code, or "hang" (read the body, never answer). */
export type Answer = number | "hang";

export interface WebhookServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  requests: ReceivedRequest[];
}

/**
 * A real HTTP server on 127.0.0.1 recording every request. Answers come from `answers` in
 * order, the last one repeating (default: 200). Closed, hung sockets included, when the
 * test finishes.
 */
export async function startWebhookServer(answers: Answer[] = [200]): Promise<WebhookServer> {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, json });
      const answer = answers[Math.min(requests.length - 1, answers.length - 1)];
      if (answer === "hang") return;
      res.writeHead(answer, { "content-type": "text/plain" });
      res.end(answer < 300 ? "ok" : `status ${answer}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, requests };
}

/** An origin where nothing listens: a port a server held and gave back (connection refused). */
export async function closedOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}
