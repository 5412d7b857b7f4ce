/**
 * A browser without a window, for sign-in tests: follows the redirects from an authorize URL (the gateway's
 * /authorize, its stand-in identity provider, /callback) hop by hop, and stops at the first URL that starts
 * with `stopAt` (the loopback callback), or loads that URL too when `load` is set.
 */
export async function followSignIn(start: string, stopAt: string | RegExp, load = false): Promise<{ hops: string[]; landing: URL; status?: number; body?: string }> {
  const hops: string[] = [];
  let next = start;
  const arrived = (url: string) => (typeof stopAt === 'string' ? url.startsWith(stopAt) : stopAt.test(url));
  for (let i = 0; i < 10; i++) {
    hops.push(new URL(next).pathname);
    if (arrived(next)) {
      if (!load) return { hops, landing: new URL(next) };
      const response = await fetch(next);
      return { hops, landing: new URL(next), status: response.status, body: await response.text() };
    }
    const response = await fetch(next, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status !== 302 || !location) throw new Error(`${next} answered ${response.status}, not a redirect`);
    next = new URL(location, next).toString();
  }
  throw new Error(`more than 10 redirects from ${start}`);
}
