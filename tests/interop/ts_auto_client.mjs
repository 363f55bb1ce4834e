// Interop check: the official TypeScript client `@modelcontextprotocol/client` 2.4.0 against
// weather-server, with `versionNegotiation: {mode: 'auto'}` (its default is legacy): it must end
// up in the 2026-07-28 era, list get_weather and call it.
//
//   node ts_auto_client.mjs http://127.0.0.1:PORT/mcp      (run from the folder the package is in)
//
// Exits 0 when every check holds, 1 on any mismatch, 2 on a crash.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const failures = [];
const check = (ok, what) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

try {
  const client = new Client({ name: 'streamable-mcp-interop', version: '1' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(new StreamableHTTPClientTransport(new URL(process.argv[2])));
  const era = client.getProtocolEra();
  const version = client.getNegotiatedProtocolVersion();
  console.log(`era ${era}, version ${version}`);
  check(era === 'modern' && version === '2026-07-28', 'auto mode ends up modern, at 2026-07-28');
  const names = (await client.listTools()).tools.map((t) => t.name);
  check(names.includes('get_weather'), `tools/list names get_weather (${names})`);
  const result = await client.callTool({ name: 'get_weather', arguments: { city: 'Hangzhou' } });
  check(result.structuredContent?.city === 'Hangzhou', "get_weather returns Hangzhou's weather");
  await client.close();
} catch (e) {
  console.error(e);
  process.exit(2);
}
process.exit(failures.length ? 1 : 0);
