/*
 * Many needles found in one pass with native searches, over bytes (database files, statistics
 * samples) or text (values streamed out of the database) alike: the haystack is read through
 * an accessor (`Units`), so the search exists once. Each needle is anchored at a character that
 * case folding leaves alone and that stored data holds rarely ('@' in an address, the space in a
 * full name, '+' in a phone number); every occurrence of an anchor in the haystack (found by the
 * accessor's native indexOf, a memchr for bytes) is checked against the needles anchored there
 * by a hash of the characters around it, and only hash hits are compared in full. A needle of
 * digits alone has no such character: it is searched by the runs of digits it could lie in,
 * keyed by its last eight digits.
 */

/**
 * A haystack as the search reads it: folded code units (bytes, or UTF-16 units) by index, and a
 * native search for one unit. `unit` folds (bytes: A-Z to a-z); a text haystack is folded by
 * its caller once, natively, and read as it is.
 */
export interface Units {
  readonly length: number;
  unit(i: number): number;
  indexOf(unit: number, from: number): number;
}

const FOLD = new Uint8Array(256).map((_, b) => (b >= 65 && b <= 90 ? b + 32 : b));

/** Bytes, read folded to lower case (ASCII A-Z only). */
export class ByteUnits implements Units {
  readonly length: number;
  constructor(private readonly buf: Buffer) {
    this.length = buf.length;
  }
  unit(i: number): number {
    return FOLD[this.buf[i]!]!;
  }
  indexOf(unit: number, from: number): number {
    return this.buf.indexOf(unit, from);
  }
}

/** Text already folded by the caller (toLowerCase), read as UTF-16 units. */
export class TextUnits implements Units {
  readonly length: number;
  constructor(private readonly s: string) {
    this.length = s.length;
  }
  unit(i: number): number {
    return this.s.charCodeAt(i);
  }
  indexOf(unit: number, from: number): number {
    return this.s.indexOf(String.fromCharCode(unit), from);
  }
}

/** A needle: its folded code units, where its anchor sits (-1 for a digits-only needle), and the caller's id. */
export interface Needle {
  codes: ArrayLike<number>;
  at: number;
  id: number;
}

const ANCHOR_RANK = new Map([...'@+()/ _.-'].map((c, i) => [c.charCodeAt(0), i] as const));
const isAsciiAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
export const isDigit = (c: number) => (c - 48) >>> 0 <= 9;
/** Digits a digit needle is keyed by: eight (four bits each fill a 32-bit key), fewer for a shorter needle. */
const DIGIT_KEY = 8;
const HASH = 31;
const FWD_MAX = 24;

/** How rare a character is as an anchor (lower: rarer in stored data); letters and digits rank last. */
export const anchorRank = (c: number) => ANCHOR_RANK.get(c) ?? ANCHOR_RANK.size;

/**
 * Where each needle is anchored (-1: no character fit, letters and digits only). Every distinct
 * anchor costs a pass over the haystack, so a needle takes an anchor another needle already has
 * when it can (a phone number's space, like a full name's), else its rarest one.
 */
export function chooseAnchors(needles: ArrayLike<number>[]): number[] {
  const candidates = needles.map((codes) => {
    const at = new Map<number, number>();
    for (let i = 0; i < codes.length; i++) if (!isAsciiAlnum(codes[i]!) && !at.has(codes[i]!)) at.set(codes[i]!, i);
    return [...at].sort(([a], [b]) => anchorRank(a) - anchorRank(b));
  });
  const chosen = new Set<number>();
  const out = needles.map(() => -1);
  // Needles with the fewest choices decide first.
  for (const i of needles.map((_, i) => i).sort((a, b) => candidates[a]!.length - candidates[b]!.length)) {
    const c = candidates[i]!;
    if (c.length === 0) continue;
    const [anchor, at] = c.find(([a]) => chosen.has(a)) ?? c[0]!;
    chosen.add(anchor);
    out[i] = at;
  }
  return out;
}

const mix = (back: number, k: number, fwd: number) => (Math.imul(back ^ Math.imul(k + 1, 0x27d4eb2d), 0x9e3779b1) ^ fwd) | 0;

/**
 * The needles anchored at one character, indexed by a hash of the characters around it: the
 * `at` characters before the anchor, and after it as many as every needle with that `at` has
 * (up to FWD_MAX), so needles that share a long start ("+49 30 1000…") still get their own keys.
 */
class AnchorGroup {
  readonly maxBack: number;
  /** Per `at`: how many characters from the anchor on its key covers (0: no needle has that `at`). */
  readonly fwdAt: Int32Array;
  readonly maxFwd: number;
  readonly byKey = new Map<number, Needle[]>();

  constructor(
    readonly anchor: number,
    needles: Needle[],
  ) {
    this.maxBack = Math.max(...needles.map((n) => n.at));
    this.fwdAt = new Int32Array(this.maxBack + 1);
    for (const n of needles) {
      const f = Math.min(FWD_MAX, n.codes.length - n.at);
      this.fwdAt[n.at] = this.fwdAt[n.at] === 0 ? f : Math.min(this.fwdAt[n.at]!, f);
    }
    this.maxFwd = Math.max(...this.fwdAt);
    for (const n of needles) {
      let back = 0;
      for (let k = 1; k <= n.at; k++) back = (Math.imul(back, HASH) + n.codes[n.at - k]!) | 0;
      let fwd = 0;
      for (let j = 0; j < this.fwdAt[n.at]!; j++) fwd = (Math.imul(fwd, HASH) + n.codes[n.at + j]!) | 0;
      const key = mix(back, n.at, fwd);
      const list = this.byKey.get(key);
      if (list) list.push(n);
      else this.byKey.set(key, [n]);
    }
  }
}

function groupByAnchor(needles: Needle[]): AnchorGroup[] {
  const by = new Map<number, Needle[]>();
  for (const n of needles) {
    const a = n.codes[n.at]!;
    const list = by.get(a);
    if (list) list.push(n);
    else by.set(a, [n]);
  }
  // Rarest anchors first: a match is usually found, or ruled out, in the cheap passes.
  return [...by].sort(([a], [b]) => (ANCHOR_RANK.get(a) ?? 99) - (ANCHOR_RANK.get(b) ?? 99)).map(([a, ns]) => new AnchorGroup(a, ns));
}

/**
 * Needles of digits only, keyed by their last digits (up to eight, four bits each, so the key of
 * the digits just read is one shift and mask per digit), with a bit per hashed key to rule out
 * almost every position at the cost of one memory read. Eight digits rather than six keep the
 * zero-padded numbers that fill a database (ids, counters) from resembling a phone's tail.
 */
class DigitIndex {
  readonly bits = new Uint8Array(1 << (DIGIT_BITS - 3));
  readonly byKey = new Map<number, Needle[]>();
  /** Digits per key: DIGIT_KEY, or the shortest needle's length. */
  readonly len: number;
  readonly mask: number;
  /** The shortest needle's length: a run of fewer digits holds none (phone numbers have ten or more). */
  readonly shortest: number;

  constructor(needles: Needle[]) {
    this.shortest = Math.min(...needles.map((n) => n.codes.length));
    this.len = Math.min(DIGIT_KEY, this.shortest);
    this.mask = this.len >= 8 ? -1 : (1 << (4 * this.len)) - 1;
    for (const n of needles) {
      let key = 0;
      for (let j = n.codes.length - this.len; j < n.codes.length; j++) key = ((key << 4) | (n.codes[j]! - 48)) & this.mask;
      const bit = digitBit(key);
      this.bits[bit >>> 3]! |= 1 << (bit & 7);
      const list = this.byKey.get(key);
      if (list) list.push(n);
      else this.byKey.set(key, [n]);
    }
  }
}

const DIGIT_BITS = 20;
const digitBit = (key: number) => Math.imul(key, 0x9e3779b1) >>> (32 - DIGIT_BITS);

/**
 * The one engine: anchored needles and digit needles, searched over any `Units`. Digit needles
 * lie in runs of digits and of the `separators` (skipped inside a run: a phone number written
 * "+49 151 …" holds the digits "49151…"); with none, in runs of digits alone.
 */
export class MultiSearch {
  private readonly groups: AnchorGroup[];
  private readonly digits: DigitIndex | null;
  private readonly separator = new Uint8Array(128);

  constructor(anchored: Needle[], digits: Needle[], separators: readonly string[] = []) {
    this.groups = groupByAnchor(anchored);
    this.digits = digits.length ? new DigitIndex(digits) : null;
    for (const c of separators) this.separator[c.charCodeAt(0)] = 1;
  }

  get empty(): boolean {
    return this.groups.length === 0 && this.digits === null;
  }

  /** Reports each needle found (by id) to `hit`, which returns true to stop; true when it stopped. */
  search(h: Units, hit: (id: number) => boolean): boolean {
    for (const g of this.groups) if (anchoredIn(h, g, hit)) return true;
    return this.digits !== null && this.digitRuns(h, this.digits, hit);
  }

  /** A digit, or a separator: what a run of a number's digits is made of. */
  private inRun(c: number): boolean {
    return isDigit(c) || (c < 128 && this.separator[c] === 1);
  }

  /*
   * A digit needle lies in a run holding at least as many digits as the shortest needle has.
   * Such a run covers one of every `shortest`-th position, so only those are looked at, and a
   * run found there is counted, and keyed only when it holds enough digits. Ids, dates and
   * counters make runs too short for a phone number; a JavaScript loop costs per unit it visits.
   */
  private digitRuns(h: Units, idx: DigitIndex, hit: (id: number) => boolean): boolean {
    const step = idx.shortest;
    const end = h.length;
    // Units before `done` belong to runs already looked at (or to none).
    let done = 0;
    for (let i = step - 1; i < end; ) {
      if (!this.inRun(h.unit(i))) {
        i += step;
        continue;
      }
      let digits = isDigit(h.unit(i)) ? 1 : 0;
      let a = i;
      while (a > done && this.inRun(h.unit(a - 1))) digits += isDigit(h.unit(--a)) ? 1 : 0;
      let e = i + 1;
      while (e < end && this.inRun(h.unit(e))) digits += isDigit(h.unit(e++)) ? 1 : 0;
      if (digits >= step && this.digitRun(h, a, e, idx, hit)) return true;
      done = e;
      i = e + step;
    }
    return false;
  }

  /** The run [a, e): keys every `len` digits it ends with (separators skipped), and compares the needles a key names. */
  private digitRun(h: Units, a: number, e: number, idx: DigitIndex, hit: (id: number) => boolean): boolean {
    const { bits, byKey, len, mask } = idx;
    let key = 0;
    let run = 0;
    for (let i = a; i < e; i++) {
      const d = h.unit(i) - 48;
      if (d >>> 0 > 9) continue;
      key = ((key << 4) | d) & mask;
      if (++run < len) continue;
      const bit = digitBit(key);
      if ((bits[bit >>> 3]! & (1 << (bit & 7))) === 0) continue;
      const list = byKey.get(key);
      if (list) for (const n of list) if (run >= n.codes.length && this.digitsEndingAt(h, i, n.codes) && hit(n.id)) return true;
    }
    return false;
  }

  /** Whether the digits of `h` up to `end`, separators skipped, end with `codes`. */
  private digitsEndingAt(h: Units, end: number, codes: ArrayLike<number>): boolean {
    let j = codes.length - 1;
    for (let i = end; j >= 0 && i >= 0; i--) {
      const c = h.unit(i);
      if (isDigit(c)) {
        if (c !== codes[j]) return false;
        j--;
      } else if (c > 127 || this.separator[c] === 0) return false;
    }
    return j < 0;
  }
}

function anchoredIn(h: Units, g: AnchorGroup, hit: (id: number) => boolean): boolean {
  const end = h.length;
  const { anchor, fwdAt, maxFwd, maxBack, byKey } = g;
  // fwds[j]: the hash of the j units from the anchor on.
  const fwds = new Int32Array(maxFwd + 1);
  for (let p = h.indexOf(anchor, 0); p >= 0; p = p + 1 < end ? h.indexOf(anchor, p + 1) : -1) {
    const reach = Math.min(maxFwd, end - p);
    for (let j = 0; j < reach; j++) fwds[j + 1] = (Math.imul(fwds[j]!, HASH) + h.unit(p + j)) | 0;
    let back = 0;
    for (let k = 0; k <= maxBack && k <= p; k++) {
      if (k > 0) back = (Math.imul(back, HASH) + h.unit(p - k)) | 0;
      const f = fwdAt[k]!;
      if (f === 0 || f > reach) continue;
      const list = byKey.get(mix(back, k, fwds[f]!));
      if (list) for (const n of list) if (unitsAt(h, p - k, n.codes) && hit(n.id)) return true;
    }
  }
  return false;
}

function unitsAt(h: Units, start: number, codes: ArrayLike<number>): boolean {
  if (start + codes.length > h.length) return false;
  for (let j = 0; j < codes.length; j++) if (h.unit(start + j) !== codes[j]) return false;
  return true;
}
