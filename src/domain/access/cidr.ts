// CIDR ranges, IPv4 and IPv6, as the trusted-proxies setting and token address limits take them.
// A bare address is a range of one. Parsed by hand into Node's BlockList, which does the matching;
// anything that does not parse is undefined, and the caller says which setting or field was wrong.
import { BlockList, isIP } from 'node:net';

export interface Cidr {
  address: string;
  /** The prefix length; undefined for a bare address. */
  bits: number | undefined;
  type: 'ipv4' | 'ipv6';
}

/** `10.0.0.0/8`, `fd00::/8` or a bare address; undefined when it is none of these. */
export function parseCidr(entry: string): Cidr | undefined {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  const bits = prefix === undefined ? undefined : /^[0-9]{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  const maxBits = family === 6 ? 128 : 32;
  if (family === 0 || extra !== undefined || (bits !== undefined && !(bits <= maxBits))) return undefined;
  return { address, bits, type: family === 6 ? 'ipv6' : 'ipv4' };
}

export function addCidr(list: BlockList, cidr: Cidr): void {
  if (cidr.bits === undefined) list.addAddress(cidr.address, cidr.type);
  else list.addSubnet(cidr.address, cidr.bits, cidr.type);
}

/** True when `address` (a plain IPv4 or IPv6 address) is in `list`; false for anything else. */
export function listed(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}
