import { isIP } from 'node:net';

/**
 * Whether a webhook URL's host is one Stripe can reach from the internet. Stripe refuses
 * `localhost`, loopback, private (RFC 1918 / unique-local) and link-local addresses when an endpoint
 * is created or updated, with "Invalid URL: URL must be publicly accessible. Consider using a tool
 * like the Stripe CLI to test webhooks locally." Names other than `localhost` are not resolved
 * (Stripe's DNS view is not ours); `0.0.0.0` is not refused, as Stripe does not refuse it either
 * (dj-stripe/dj-stripe PR #1891).
 */
export function isLocalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const kind = isIP(host);
  if (kind === 4) return localV4(host.split('.').map(Number));
  if (kind === 6) {
    if (host === '::1') return true;
    // IPv4-mapped (::ffff:127.0.0.1, which URL normalizes to ::ffff:7f00:1).
    const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
    if (dotted) return localV4(dotted[1].split('.').map(Number));
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
    if (hex) return localV4([parseInt(hex[1], 16) >> 8, parseInt(hex[1], 16) & 0xff]);
    const first = parseInt(host.split(':')[0] || '0', 16);
    // fc00::/7 unique local, fe80::/10 link-local.
    return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
  }
  return false;
}

function localV4([a, b]: number[]): boolean {
  const privateRange = a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  return a === 127 || privateRange || (a === 169 && b === 254);
}

export const NOT_PUBLIC_MESSAGE =
  'Invalid URL: URL must be publicly accessible. Consider using a tool like the Stripe CLI to test webhooks locally.';
