/**
 * Minimal archive writers (ustar + gzip, and zip with deflate) and SHA-256, so packing a release
 * needs neither `tar` nor `zip` on the build machine and gives the same bytes on every OS.
 * Entries are regular files only; readers create the parent folders.
 */
import { createHash } from "node:crypto";
import { deflateRawSync } from "node:zlib";

export interface Entry {
  /** Path inside the archive, with "/" separators. */
  name: string;
  data: Uint8Array;
  /** Unix permission bits, e.g. 0o755 for an executable. */
  mode: number;
}

export const sha256 = (data: Uint8Array): string => createHash("sha256").update(data).digest("hex");

const encoder = new TextEncoder();

function octal(value: number, width: number): string {
  // width - 1 digits and a NUL, as ustar readers expect.
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

/** ustar keeps 100 bytes of name plus a 155-byte prefix, split at a "/". */
function splitName(name: string): [prefix: string, name: string] {
  if (encoder.encode(name).length <= 100) return ["", name];
  for (let i = name.indexOf("/"); i !== -1; i = name.indexOf("/", i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (encoder.encode(prefix).length <= 155 && encoder.encode(rest).length <= 100) {
      return [prefix, rest];
    }
  }
  throw new Error(`path too long for a ustar archive: ${name}`);
}

function tarHeader(entry: Entry, mtime: number): Uint8Array {
  const header = new Uint8Array(512);
  const put = (offset: number, text: string) => header.set(encoder.encode(text), offset);
  const [prefix, name] = splitName(entry.name);
  put(0, name);
  put(100, octal(entry.mode & 0o7777, 8));
  put(108, octal(0, 8));
  put(116, octal(0, 8));
  put(124, octal(entry.data.length, 12));
  put(136, octal(mtime, 12));
  put(148, "        "); // the checksum is computed with its own field as spaces
  put(156, "0");
  put(257, "ustar\u000000");
  put(265, "root");
  put(297, "root");
  put(345, prefix);
  const sum = header.reduce((a, b) => a + b, 0);
  put(148, `${sum.toString(8).padStart(6, "0")}\0 `);
  return header;
}

/** A gzip-compressed ustar archive of `entries`. */
export function tarGz(
  entries: Entry[],
  mtime: number,
  level: 1 | 6 | 9 = 9,
): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    parts.push(tarHeader(entry, mtime), entry.data);
    const pad = (512 - (entry.data.length % 512)) % 512;
    if (pad) parts.push(new Uint8Array(pad));
  }
  parts.push(new Uint8Array(1024)); // two zero blocks end the archive
  return Bun.gzipSync(Buffer.concat(parts), { level });
}

/** A zip archive of `entries` (deflated), with Unix modes so unzip keeps the executable bit. */
export function zip(entries: Entry[]): Uint8Array<ArrayBuffer> {
  const local: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = encoder.encode(entry.name);
    const packed = deflateRawSync(entry.data, { level: 9 });
    const crc = Bun.hash.crc32(entry.data);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4); // version needed: deflate
    head.writeUInt16LE(0x0800, 6); // names are UTF-8
    head.writeUInt16LE(8, 8); // deflate
    head.writeUInt16LE(0, 10); // time 00:00
    head.writeUInt16LE(0x21, 12); // date 1980-01-01
    head.writeUInt32LE(crc, 14);
    head.writeUInt32LE(packed.length, 18);
    head.writeUInt32LE(entry.data.length, 22);
    head.writeUInt16LE(name.length, 26);
    local.push(head, name, packed);

    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the external attributes hold a mode
    head.copy(dir, 6, 4, 30); // version needed … name length are the same fields
    dir.writeUInt32LE(((0o100000 | entry.mode) << 16) >>> 0, 38);
    dir.writeUInt32LE(offset, 42);
    central.push(dir, name);
    offset += head.length + name.length + packed.length;
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, ...central, end]);
}
