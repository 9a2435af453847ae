// Checks a "zk-solvency/inclusion-proof/v3" file: parsing (strict), hashes, and the
// comparison with the registered root (from the ReservesRegistry or a statement file).
// Pure functions; no DOM, no network. Field elements are BigInt.
import * as P from "poseidon-lite";
import { keccak_256 } from "@noble/hashes/sha3";

export const FORMAT = "zk-solvency/inclusion-proof/v3";
export const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
export const MAX_ASSETS = 7;
export const MAX_DECIMALS = 255;
export const MAX_ID_BYTES = 31 * 15;
export const MAX_ASSET_BYTES = 31;
export const MAX_BATCH_BITS = 20;       // as circuits.inclusion
export const MAX_TOP_BITS = 16;
export const MAX_FILE_BYTES = 1 << 20;
export const U64 = 1n << 64n;
export const BALANCE_BOUND = U64;   // balances are in [0, 2^64)
export const BALANCE_BITS = 64n;
export const PACK = 3;              // 253 // 64 balances per packed field element

const POSEIDON = [null, P.poseidon1, P.poseidon2, P.poseidon3, P.poseidon4, P.poseidon5,
  P.poseidon6, P.poseidon7, P.poseidon8, P.poseidon9, P.poseidon10, P.poseidon11,
  P.poseidon12, P.poseidon13, P.poseidon14, P.poseidon15, P.poseidon16];

/** An input problem: names the file and field and the rule it breaks. */
export class Malformed extends Error {}

/** circomlib Poseidon of 1..16 field elements (BigInt in [0, r)). */
export function poseidon(values) {
  const f = POSEIDON[values.length];
  if (!f) throw new Malformed(`Poseidon takes 1..16 inputs, got ${values.length}`);
  for (const v of values) {
    if (typeof v !== "bigint" || v < 0n || v >= R) throw new Malformed("Poseidon input is not a field element");
  }
  return f(values);
}

const utf8 = (s) => new TextEncoder().encode(s);
const bytesToBig = (b) => b.reduce((acc, x) => (acc << 8n) | BigInt(x), 0n);
const wellFormed = (s) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

/** id_hash = Poseidon(byte length, 31-byte big-endian chunks of the UTF-8 id). */
export function userIdHash(userId) {
  const data = utf8(userId);
  const chunks = [];
  for (let i = 0; i < data.length; i += 31) chunks.push(bytesToBig(data.subarray(i, i + 31)));
  return poseidon([BigInt(data.length), ...chunks]);
}

/** An asset name as a field element: its UTF-8 bytes as a big-endian integer. */
export const assetField = (name) => bytesToBig(utf8(name));

/** Poseidon(n, name_1, decimals_1, ..., name_n, decimals_n). */
export function assetCommitment(assets, decimals) {
  return poseidon([BigInt(assets.length), ...assets.flatMap((a, i) => [assetField(a), BigInt(decimals[i])])]);
}

/** user_commitment = Poseidon(id_hash, salt). */
export const userCommitment = (userId, salt) => poseidon([userIdHash(userId), salt]);

/** Balances (each < 2^64, checked by the parser) packed 3 per field element:
 * packed_j = sum_i balance_{3j+i} * 2^(64 i); injective since 3 * 64 <= 253. */
export function packBalances(balances) {
  const out = [];
  for (let j = 0; j < balances.length; j += PACK) {
    out.push(balances.slice(j, j + PACK).reduce((acc, b, i) => acc + (b << (BALANCE_BITS * BigInt(i))), 0n));
  }
  return out;
}

/** leaf = Poseidon(user_commitment, packed balances...). */
export const leafHash = (userId, salt, balances) => poseidon([userCommitment(userId, salt), ...packBalances(balances)]);

/** Level arities of a tree over 2^bits leaves, leaf level first: [8]*(bits/3), then
 * 2^(bits%3) if that is not 1 (2^10 -> [8, 8, 8, 2]). */
export function treeArities(bits) {
  const out = Array(Math.floor(bits / 3)).fill(8);
  if (bits % 3) out.push(2 ** (bits % 3));
  return out;
}

/** Root from a leaf, its index and per-level siblings (node left out, child order): at
 * level j the node sits at position (index / prod(arities[:j])) % arities[j]. */
export function rootFromPath(leaf, index, path) {
  let node = leaf;
  let idx = index;
  path.forEach((sibs) => {
    const a = sibs.length + 1;
    const pos = idx % a;
    node = poseidon([...sibs.slice(0, pos), node, ...sibs.slice(pos)]);
    idx = Math.floor(idx / a);
  });
  return node;
}

// -- strict parsing -------------------------------------------------------------------
function fail(where, rule) { throw new Malformed(`${where}: ${rule}`); }

function exact(obj, keys, where) {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) fail(where, "expected a JSON object");
  const missing = keys.filter((k) => !Object.hasOwn(obj, k));
  if (missing.length) fail(where, `missing ${missing.join(", ")}`);
  const extra = Object.keys(obj).filter((k) => !keys.includes(k));
  if (extra.length) fail(where, `unknown key(s) ${extra.slice(0, 5).join(", ")}`);
  return obj;
}

/** A canonical decimal string (no sign, no leading zero) below `bound`. */
export function decimal(v, where, bound = R) {
  if (typeof v !== "string" || !/^(0|[1-9][0-9]{0,77})$/.test(v)) fail(where, "not a canonical decimal string");
  const x = BigInt(v);
  if (x >= bound) fail(where, bound === R ? "not below the field modulus r" : `not below 2^${bound.toString(2).length - 1}`);
  return x;
}

function smallInt(v, where, max) {
  max = Math.min(max, Number.MAX_SAFE_INTEGER);
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0 || v > max) fail(where, `must be an integer in 0..${max}`);
  return v;
}

// Python's str.isprintable(): letters, marks, numbers, punctuation, symbols, ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]+$/u;

function list(v, where, min, max) {
  if (!Array.isArray(v) || v.length < min || v.length > max) fail(where, `must be a list of ${min}..${max} items`);
  return v;
}

function hexBytes(v, where, n) {
  if (typeof v !== "string" || !new RegExp(`^0x[0-9a-fA-F]{${2 * n}}$`).test(v)) fail(where, `must be 0x followed by ${2 * n} hex digits`);
  return v.toLowerCase();
}

const KEYS = ["format", "user_id", "salt", "balances", "assets", "decimals", "batch_bits",
  "top_bits", "batch_index", "leaf_index", "batch_path", "top_path", "batch_root", "root",
  "asset_commitment", "statement"];

/** A path whose levels match treeArities(bits) exactly, else a "malformed path" error. */
function treePath(v, where, bits) {
  const want = treeArities(bits).map((a) => a - 1);
  const ok = Array.isArray(v) && v.length === want.length && v.every((lv, j) => Array.isArray(lv) && lv.length === want[j]);
  if (!ok) fail(where, `malformed path: levels of [${want.join(", ")}] sibling hashes expected for 2^${bits} leaves`);
  return v.map((lv, j) => lv.map((h, i) => decimal(h, `${where}[${j}][${i}]`)));
}

function pathInt(v, where, min, max) {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) fail(where, `malformed path: must be an integer in ${min}..${max}`);
  return v;
}
const STATEMENT_KEYS = ["chain_id", "registry", "exchange", "epoch", "key_id", "statement_hash"];

/** Parse and validate an inclusion file's text; Malformed names the field and rule. */
export function parseInclusion(text, name = "inclusion file") {
  if (typeof text !== "string" || text.length > MAX_FILE_BYTES) fail(name, `larger than ${MAX_FILE_BYTES} bytes`);
  let obj;
  try { obj = JSON.parse(text); } catch (e) { fail(name, "not valid JSON"); }
  exact(obj, KEYS, name);
  if (obj.format !== FORMAT) fail(`${name}: format`, `expected "${FORMAT}"`);
  const uid = obj.user_id;
  if (typeof uid !== "string" || !wellFormed(uid) || utf8(uid).length < 1 || utf8(uid).length > MAX_ID_BYTES) fail(`${name}: user_id`, `must be 1..${MAX_ID_BYTES} bytes of UTF-8 text`);
  const assets = list(obj.assets, `${name}: assets`, 1, MAX_ASSETS);
  assets.forEach((a, i) => {
    if (typeof a !== "string" || !PRINTABLE.test(a) || a !== a.trim() || utf8(a).length > MAX_ASSET_BYTES) fail(`${name}: assets[${i}]`, `must be 1..${MAX_ASSET_BYTES} bytes of printable UTF-8 without surrounding spaces`);
  });
  if (new Set(assets).size !== assets.length) fail(`${name}: assets`, "names must be distinct");
  const n = assets.length;
  const decimals = list(obj.decimals, `${name}: decimals`, n, n).map((d, i) => smallInt(d, `${name}: decimals[${i}]`, MAX_DECIMALS));
  const balances = list(obj.balances, `${name}: balances`, n, n).map((b, i) => decimal(b, `${name}: balances[${i}]`, BALANCE_BOUND));
  const batchBits = pathInt(obj.batch_bits, `${name}: batch_bits`, 0, MAX_BATCH_BITS);
  const topBits = pathInt(obj.top_bits, `${name}: top_bits`, 1, MAX_TOP_BITS);
  const batchPath = treePath(obj.batch_path, `${name}: batch_path`, batchBits);
  const topPath = treePath(obj.top_path, `${name}: top_path`, topBits);
  const leafIndex = pathInt(obj.leaf_index, `${name}: leaf_index`, 0, 2 ** batchBits - 1);
  const batchIndex = pathInt(obj.batch_index, `${name}: batch_index`, 0, 2 ** topBits - 1);
  const st = exact(obj.statement, STATEMENT_KEYS, `${name}: statement`);
  return {
    userId: uid, salt: decimal(obj.salt, `${name}: salt`), balances, assets, decimals,
    batchBits, topBits, batchIndex, leafIndex, batchPath, topPath,
    batchRoot: decimal(obj.batch_root, `${name}: batch_root`),
    root: decimal(obj.root, `${name}: root`),
    assetCommitment: decimal(obj.asset_commitment, `${name}: asset_commitment`),
    statement: {
      chainId: decimal(st.chain_id, `${name}: statement.chain_id`, U64),
      registry: hexBytes(st.registry, `${name}: statement.registry`, 20),
      exchange: hexBytes(st.exchange, `${name}: statement.exchange`, 20),
      epoch: decimal(st.epoch, `${name}: statement.epoch`, U64),
      keyId: hexBytes(st.key_id, `${name}: statement.key_id`, 32),
      statementHash: hexBytes(st.statement_hash, `${name}: statement.statement_hash`, 32),
    },
  };
}

/** What the file itself implies: recomputed leaf, batch root, root, asset commitment. */
export function recompute(inc) {
  const leaf = leafHash(inc.userId, inc.salt, inc.balances);
  const batchRoot = rootFromPath(leaf, inc.leafIndex, inc.batchPath);
  const root = rootFromPath(batchRoot, inc.batchIndex, inc.topPath);
  return { leaf, batchRoot, root, assetCommitment: assetCommitment(inc.assets, inc.decimals) };
}

export const REASONS = {
  path: "balance/leaf does not match the path",
  assets: "asset labels or decimals differ from the committed asset list",
  root: "root is not the registered one",
  uncovered: "not covered",
  chain: "wrong chain",
  key: "the registry verifies another key or statement than the file names",
};

/** Compare a parsed file with the registered values {root, assetCommitment, covered}
 * (covered = null when the source cannot tell). Returns {included, reasons[], computed}. */
export function verdict(inc, registered) {
  const c = recompute(inc);
  const reasons = [];
  const pathOk = c.batchRoot === inc.batchRoot && c.root === inc.root;
  if (!pathOk) reasons.push({ code: "path", text: REASONS.path });
  const noTop = registered.root === 0n;     // nothing registered to compare the assets with
  if ((!noTop && c.assetCommitment !== registered.assetCommitment) || c.assetCommitment !== inc.assetCommitment) {
    reasons.push({ code: "assets", text: REASONS.assets });
  }
  if (registered.root === 0n) {
    reasons.push({ code: "root", text: `${REASONS.root}: no top proof is registered for this exchange and epoch` });
  } else if (pathOk && c.root !== registered.root) {
    reasons.push({ code: "root", text: REASONS.root });
  }
  if (registered.root !== 0n && registered.covered === false) {
    reasons.push({ code: "uncovered", text: `${REASONS.uncovered}: the registry does not report this epoch as covered` });
  }
  return { included: reasons.length === 0, reasons, computed: c };
}

/** "123456789" with 8 decimals -> "1.23456789". */
export function formatAmount(value, decimals) {
  const s = value.toString().padStart(decimals + 1, "0");
  return decimals ? `${s.slice(0, s.length - decimals)}.${s.slice(s.length - decimals)}` : s;
}

// -- the registry over JSON-RPC -------------------------------------------------------
const word = (x) => x.toString(16).padStart(64, "0");

/** Calldata of rootOf(address exchange, uint64 epoch). */
export function rootOfCalldata(selector, exchange, epoch) {
  return selector + word(BigInt(exchange)) + word(epoch);
}

/** Decode (uint256 root, uint256 assetCommitment, bool covered) from eth_call's result. */
export function decodeRootOf(hex) {
  if (typeof hex !== "string" || hex === "0x") throw new Malformed("the registry returned no data: no ReservesRegistry at this address on this chain");
  if (!/^0x[0-9a-fA-F]{192}$/.test(hex)) throw new Malformed(`the registry returned ${(hex.length - 2) / 2} bytes, expected 96 (root, assetCommitment, covered)`);
  const w = [0, 1, 2].map((i) => BigInt("0x" + hex.slice(2 + 64 * i, 66 + 64 * i)));
  if (w[2] > 1n) throw new Malformed("the registry returned a malformed bool for covered");
  if (w[0] >= R || w[1] >= R) throw new Malformed("the registry returned a root or commitment outside the field");
  return { root: w[0], assetCommitment: w[1], covered: w[2] === 1n };
}

// -- the statement-file path ----------------------------------------------------------
function canonicalJson(v) {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.keys(v).sort().map((k) => `${asciiJson(k)}:${canonicalJson(v[k])}`).join(",")}}`;
  }
  return typeof v === "string" ? asciiJson(v) : JSON.stringify(v);
}
const asciiJson = (s) => JSON.stringify(s).replace(/[\u007f-\uffff]/g, (ch) => "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0"));

/** keccak256(b"zk-solvency/statement/v1\n" || canonical JSON), as zk.statement does. */
export function statementHash(statement) {
  const bytes = utf8("zk-solvency/statement/v1\n" + canonicalJson(statement));
  return "0x" + Array.from(keccak_256(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Registered values from the top proof's statement.json and public.json, after checking
 * that the statement is the one the inclusion file names and that the public inputs
 * are for the file's chain, registry, exchange and epoch. */
export function registeredFromStatement(inc, statementText, publicText) {
  let st, pub;
  try { st = JSON.parse(statementText); } catch (e) { fail("statement file", "not valid JSON"); }
  try { pub = JSON.parse(publicText); } catch (e) { fail("public inputs file", "not valid JSON"); }
  exact(st, ["circuit", "digest", "inputs"], "statement file");
  list(st.inputs, "statement file: inputs", 1, 1024);
  if (statementHash(st) !== inc.statement.statementHash) fail("statement file", "its hash is not the statement_hash named in the inclusion file");
  const layout = {};
  let pos = 0;
  st.inputs.forEach((inp, k) => {
    exact(inp, ["name", "shape", "bits"], `statement file: inputs[${k}]`);
    const size = list(inp.shape, `statement file: inputs[${k}].shape`, 0, 4).reduce((a, d) => a * smallInt(d, `statement file: inputs[${k}].shape`, 65536), 1);
    layout[inp.name] = { pos, size };
    pos += size;
  });
  const values = list(pub, "public inputs file", pos, pos).map((v, i) => decimal(v, `public inputs file: [${i}]`));
  const get = (name) => {
    if (!layout[name] || layout[name].size !== 1) fail("statement file", `no scalar public input '${name}'`);
    return values[layout[name].pos];
  };
  const s = inc.statement;
  const checks = [["chain_id", s.chainId, REASONS.chain], ["registry", BigInt(s.registry), "the statement is for another registry"],
    ["exchange", BigInt(s.exchange), "the statement is for another exchange"], ["epoch", s.epoch, "the statement is for another epoch"]];
  for (const [name, want, why] of checks) {
    if (get(name) !== want) throw new Malformed(`${why}: public input ${name} is ${get(name)}, the inclusion file says ${want}`);
  }
  return { root: get("root"), assetCommitment: get("asset_commitment"), covered: null };
}

// -- one check, end to end ------------------------------------------------------------
async function rpc(fetchFn, url, method, params) {
  let res;
  try {
    res = await fetchFn(url, { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  } catch (e) {
    throw new Malformed(`cannot reach the JSON-RPC URL (${e.message})`);
  }
  if (!res.ok) throw new Malformed(`JSON-RPC ${method}: HTTP ${res.status}`);
  let body;
  try { body = await res.json(); } catch (e) { throw new Malformed(`JSON-RPC ${method}: the answer is not JSON`); }
  if (body === null || typeof body !== "object") throw new Malformed(`JSON-RPC ${method}: malformed answer`);
  if (body.error) throw new Malformed(`JSON-RPC ${method}: ${String(body.error.message).slice(0, 200)}`);
  return body.result;
}

/** A bytes32 answer as 0x + 64 lowercase hex digits. */
function bytes32(hex, what) {
  if (typeof hex !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new Malformed(`the registry returned a malformed ${what}`);
  return hex.toLowerCase();
}

/** Read rootOf(exchange, epoch), topKeyId() and topStatementHash() on the file's
 * registry (selectors: {rootOf, topKeyId, topStatementHash}); wrong chain is a reason. */
export async function checkWithRpc(inc, url, selectors, fetchFn = fetch) {
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new Malformed("JSON-RPC URL: must start with http:// or https://");
  const chainHex = await rpc(fetchFn, url, "eth_chainId", []);
  if (typeof chainHex !== "string" || !/^0x[0-9a-fA-F]{1,64}$/.test(chainHex)) throw new Malformed("JSON-RPC eth_chainId: malformed answer");
  const chainId = BigInt(chainHex);
  const source = { kind: "rpc", url, chainId };
  if (chainId !== inc.statement.chainId) {
    return { included: false, source, computed: recompute(inc),
      reasons: [{ code: "chain", text: `${REASONS.chain}: the RPC serves chain ${chainId}, the file's statement is for chain ${inc.statement.chainId}` }] };
  }
  const call = (data) => rpc(fetchFn, url, "eth_call", [{ to: inc.statement.registry, data }, "latest"]);
  const registered = decodeRootOf(await call(rootOfCalldata(selectors.rootOf, inc.statement.exchange, inc.statement.epoch)));
  const keyId = bytes32(await call(selectors.topKeyId), "topKeyId");
  const statementHash = bytes32(await call(selectors.topStatementHash), "topStatementHash");
  const outcome = { ...verdict(inc, registered), source, registered };
  if (keyId !== inc.statement.keyId || statementHash !== inc.statement.statementHash) {
    outcome.reasons.push({ code: "key", text: `${REASONS.key}: registry key_id ${keyId}, statement ${statementHash}` });
    outcome.included = false;
  }
  return outcome;
}

/** Compare with the top proof's statement.json and public.json. */
export function checkWithStatement(inc, statementText, publicText) {
  const registered = registeredFromStatement(inc, statementText, publicText);
  return { ...verdict(inc, registered), source: { kind: "statement" }, registered };
}
