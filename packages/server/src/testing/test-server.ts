import { type TestApp, createTestApp } from './test-app.js';

export interface TestServer extends TestApp {
  /** http://127.0.0.1:<port> of the real app listening on loopback. */
  readonly url: string;
}

/** The real app on test storage, listening on a free loopback port (for SDK end-to-end tests). */
export async function createTestServer(
  env: Record<string, string> = {},
  options: { clock?: () => number } = {},
): Promise<TestServer> {
  const testApp = await createTestApp(env, options);
  const url = await testApp.app.listen({ host: '127.0.0.1', port: 0 });
  return { ...testApp, url };
}
