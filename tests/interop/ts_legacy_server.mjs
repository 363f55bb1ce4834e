// Interop fixture: a legacy-only MCP server built on the official TypeScript SDK
// `@modelcontextprotocol/sdk` 1.32.2 (protocol versions up to 2025-11-25, no 2026-07-28 era), for
// our mcp-client to fall back to the initialize handshake against.
//
//   node ts_legacy_server.mjs PORT      (run from the folder the package is in; PORT 0 = a free one)
//
// Streamable HTTP at http://127.0.0.1:PORT/mcp on plain node:http, with sessions: one
// StreamableHTTPServerTransport and McpServer per session, routed by Mcp-Session-Id the way the
// SDK's own example (examples/server/simpleStreamableHttp) does. One tool, get_weather {city},
// which sends one notifications/progress when the request carried a progressToken.
// Prints `listening http://127.0.0.1:<port>/mcp` once it is listening; stops on SIGTERM/SIGINT.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const HOST = '127.0.0.1';
const PORT = Number(process.argv[2] ?? 0);
const MAX_BODY = 4 * 1024 * 1024;

function newMcpServer() {
  const server = new McpServer({ name: 'ts-legacy-server', version: '1.32.2' });
  server.registerTool(
    'get_weather',
    {
      description: 'Current weather for a city',
      inputSchema: { city: z.string().describe('City name') },
    },
    async ({ city }, extra) => {
      const progressToken = extra._meta?.progressToken;
      if (progressToken !== undefined) {
        await extra.sendNotification({
          method: 'notifications/progress',
          params: { progressToken, progress: 1, total: 1, message: `Looking up ${city}` },
        });
      }
      return {
        content: [{ type: 'text', text: `Weather in ${city}: 21°C, clear (from the TS SDK 1.32 legacy server)` }],
      };
    },
  );
  return server;
}

const sessions = new Map(); // session id -> transport

function jsonError(res, status, code, message) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function handle(req, res) {
  const url = new URL(req.url ?? '/', `http://${HOST}`);
  if (url.pathname !== '/mcp') return jsonError(res, 404, -32000, 'Not Found');
  const sessionId = req.headers['mcp-session-id'];
  const transport = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;

  if (req.method === 'POST') {
    let body;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return jsonError(res, 400, -32700, 'Parse error: Invalid JSON');
    }
    if (transport) return transport.handleRequest(req, res, body);
    if (sessionId) return jsonError(res, 404, -32001, 'Session not found');
    if (!isInitializeRequest(body)) return jsonError(res, 400, -32000, 'Bad Request: No valid session ID provided');
    const fresh = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => sessions.set(id, fresh),
    });
    fresh.onclose = () => {
      if (fresh.sessionId) sessions.delete(fresh.sessionId);
    };
    await newMcpServer().connect(fresh);
    return fresh.handleRequest(req, res, body);
  }
  if (req.method === 'GET' || req.method === 'DELETE') {
    if (transport) return transport.handleRequest(req, res);
    if (sessionId) return jsonError(res, 404, -32001, 'Session not found');
    return jsonError(res, 400, -32000, 'Bad Request: No valid session ID provided');
  }
  res.setHeader('Allow', 'GET, POST, DELETE');
  return jsonError(res, 405, -32000, 'Method not allowed.');
}

const http = createServer((req, res) => {
  handle(req, res).catch((e) => {
    console.error('error handling MCP request:', e);
    if (!res.headersSent) jsonError(res, 500, -32603, 'Internal server error');
    else res.end();
  });
});

http.listen(PORT, HOST, () => {
  process.stdout.write(`listening http://${HOST}:${http.address().port}/mcp\n`);
});

async function shutdown() {
  for (const t of sessions.values()) await t.close().catch(() => {});
  http.close();
  http.closeAllConnections?.();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
