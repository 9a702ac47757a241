// CIDR parsing and containment for IPv4 and IPv6 (node:net's BlockList does the bit arithmetic).
import { BlockList, isIP } from 'node:net';

export interface Cidr {
  network: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

export function parseCidr(text: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const network = m[1] as string;
  const version = isIP(network);
  const prefix = Number(m[2]);
  if (version === 0 || prefix > (version === 4 ? 32 : 128)) return undefined;
  return { network, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** Whether the CIDR contains the address. */
export function cidrContains(cidr: Cidr, address: string): boolean {
  const family = isIP(address) === 4 ? 'ipv4' : isIP(address) === 6 ? 'ipv6' : undefined;
  if (family !== cidr.family) return false;
  const list = new BlockList();
  list.addSubnet(cidr.network, cidr.prefix, cidr.family);
  return list.check(address, family);
}

/** Whether an ipBlock (cidr minus except) admits the address. */
export function ipBlockAdmits(block: { cidr?: string; except?: string[] }, address: string): boolean {
  const cidr = block.cidr ? parseCidr(block.cidr) : undefined;
  if (!cidr || !cidrContains(cidr, address)) return false;
  return !(block.except ?? []).some((e) => {
    const x = parseCidr(e);
    return x !== undefined && cidrContains(x, address);
  });
}

export const isAnyCidr = (cidr: string): boolean => {
  const c = parseCidr(cidr);
  return c !== undefined && c.prefix === 0;
};
