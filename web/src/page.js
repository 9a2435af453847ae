// DOM wiring of the inclusion page: read the inputs, run the check, show the outcome.
// Every value from a file is written with textContent (never parsed as HTML).
import { Malformed, checkWithRpc, checkWithStatement, formatAmount, parseInclusion } from "./inclusion.js";
import * as lib from "./inclusion.js";

/* global ROOT_OF_SELECTOR, TOP_KEY_ID_SELECTOR, TOP_STATEMENT_HASH_SELECTOR */
const SELECTORS = { rootOf: ROOT_OF_SELECTOR, topKeyId: TOP_KEY_ID_SELECTOR, topStatementHash: TOP_STATEMENT_HASH_SELECTOR };
const $ = (id) => document.getElementById(id);

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

const readFile = (input) => (input.files && input.files[0] ? input.files[0].text() : Promise.resolve(null));

function row(table, label, value) {
  const tr = el("tr");
  tr.append(el("th", label), el("td", value, "mono"));
  table.append(tr);
}

function show(outcome, inc) {
  const box = $("result");
  box.replaceChildren();
  box.className = outcome.included ? "ok" : "bad";
  const head = outcome.included ? "Included" : "Not included";
  box.append(el("h2", head, "verdict"));
  box.lastChild.id = "verdict";
  if (outcome.included && outcome.source.kind === "rpc") {
    box.append(el("p", `Check that ${inc.statement.registry} on chain ${inc.statement.chainId} is the registry your exchange publishes: the file names it, so only that address makes this answer mean anything.`, "note"));
  }
  if (outcome.included && outcome.registered.covered === null) {
    box.append(el("p", "Checked against the statement file you gave: coverage on-chain is not checked (give a JSON-RPC URL for that).", "note"));
  }
  if (outcome.reasons.length) {
    const ul = el("ul");
    ul.id = "reasons";
    for (const r of outcome.reasons) {
      const li = el("li", r.text);
      li.dataset.code = r.code;
      ul.append(li);
    }
    box.append(ul);
  }
  const bal = el("table");
  bal.id = "balances";
  bal.append(el("caption", outcome.included ? "Your balances" : "Balances claimed by the file"));
  inc.assets.forEach((a, i) => row(bal, a, formatAmount(inc.balances[i], inc.decimals[i])));
  box.append(bal);
  const info = el("table");
  info.id = "details";
  const s = inc.statement;
  row(info, "registered root", outcome.registered ? outcome.registered.root.toString() : "(not read)");
  info.lastChild.id = "root";
  row(info, "root from your file", outcome.computed.root.toString());
  row(info, "registered asset list", outcome.registered ? outcome.registered.assetCommitment.toString() : "(not read)");
  row(info, "asset list from your file", outcome.computed.assetCommitment.toString());
  const covered = outcome.registered ? outcome.registered.covered : undefined;
  row(info, "covered on-chain", covered === true ? "yes" : covered === false ? "no" : "not checked");
  row(info, "exchange", s.exchange);
  row(info, "epoch", s.epoch.toString());
  row(info, "chain id", s.chainId.toString());
  row(info, "registry", s.registry);
  row(info, "source", outcome.source.kind === "rpc" ? `JSON-RPC ${outcome.source.url}` : "statement file");
  box.append(info);
}

function showError(message) {
  const box = $("result");
  box.replaceChildren(el("h2", "Cannot check this file", "verdict"), el("p", message));
  box.firstChild.id = "verdict";
  box.lastChild.id = "error";
  box.className = "error";
}

async function run() {
  $("result").className = "busy";
  $("result").replaceChildren(el("p", "Checking..."));
  try {
    const text = $("inclusion-text").value.trim();
    if (!text) throw new Malformed("inclusion file: drop it, choose it or paste it first");
    const inc = parseInclusion(text);
    let outcome;
    if ($("use-rpc").checked) {
      outcome = await checkWithRpc(inc, $("rpc-url").value.trim(), SELECTORS);
    } else {
      const [st, pub] = await Promise.all([readFile($("statement-file")), readFile($("public-file"))]);
      if (st === null || pub === null) throw new Malformed("statement file: choose statement.json and public.json of the reserves proof");
      outcome = checkWithStatement(inc, st, pub);
    }
    show(outcome, inc);
  } catch (e) {
    showError(e instanceof Malformed ? e.message : `unexpected error: ${e.message}`);
  }
}

async function load(file) {
  if (file.size > lib.MAX_FILE_BYTES) return showError(`inclusion file: larger than ${lib.MAX_FILE_BYTES} bytes`);
  $("inclusion-text").value = await file.text();
}

function init() {
  $("check").addEventListener("click", run);
  $("inclusion-file").addEventListener("change", (e) => e.target.files[0] && load(e.target.files[0]));
  for (const id of ["use-rpc", "use-statement"]) {
    $(id).addEventListener("change", () => { document.body.dataset.source = $("use-rpc").checked ? "rpc" : "statement"; });
  }
  document.addEventListener("dragover", (e) => e.preventDefault());
  document.addEventListener("drop", (e) => {
    e.preventDefault();
    if (e.dataTransfer.files[0]) load(e.dataTransfer.files[0]);
  });
  window.inclusionLib = lib;     // for the browser tests and curious users' consoles
}

init();
