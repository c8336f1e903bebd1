// Runs a built edition's own search code (searchtools.js, language_data.js,
// d2l-site.js, searchindex.js) in node, in the search page's script order,
// and prints what each query's terms are and which pages it finds.
//
// Usage: node search_harness.js EDITION_DIR QUERY...
// Prints JSON: [{query, split, terms, docs}, ...]
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const [dir, ...queries] = process.argv.slice(2);
const listeners = [];
const context = vm.createContext({
  console,
  URLSearchParams,
  SPHINX_HIGHLIGHT_ENABLED: false,
  // Search.init reads the page's query and renders; queries run below.
  _ready: () => {},
  // Just enough page for the scripts to load: there is no element to find.
  document: {
    addEventListener: (type, listener) => listeners.push([type, listener]),
    getElementById: () => null,
    querySelector: () => null,
    querySelectorAll: () => [],
  },
  window: { location: { search: "" } },
  localStorage: { getItem: () => null, setItem: () => {} },
});
for (const file of [
  "_static/d2l-site.js",
  "_static/searchtools.js",
  "_static/language_data.js",
  "searchindex.js",
]) {
  vm.runInContext(fs.readFileSync(path.join(dir, file), "utf8"), context, { filename: file });
}
listeners
  .filter(([type]) => type === "DOMContentLoaded")
  .forEach(([, listener]) => listener());

context.queries = queries;
const results = vm.runInContext(
  `queries.map((query) => {
    const [q, terms, excluded, highlight, objects] = Search._parseQuery(query);
    const found = Search._performSearch(q, terms, excluded, highlight, objects);
    return { query, split: splitQuery(query), terms: [...terms], docs: found.map((r) => r[0]) };
  })`,
  context
);
console.log(JSON.stringify(results));
