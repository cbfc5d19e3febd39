// A catalog CSV read in the browser before it is sent: its header row (and its first product
// row, to show what each column holds), the catalog name made from the file's name, and the
// column each field most likely is. The server reads the file the same way
// (assistant/knowledge/catalog_import.py): UTF-8, a byte-order mark dropped, the delimiter the
// one of , ; tab | the header line uses most (a comma on a tie), fields quoted with ".

export const REQUIRED = ["id", "name"];
export const OPTIONAL = ["category", "price", "description", "brand", "available", "url", "image", "options"];
export const FIELDS = [...REQUIRED, ...OPTIONAL];
export const MAX_BYTES = 20 * 1024 * 1024;
// The API takes letters, digits, "_" and "-"; the importer wants a letter or digit first.
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

// Column names (lowercased, anything but letters and digits as "_") that obviously hold a
// field, the likeliest first.
const GUESSES = {
  id: ["id", "sku", "product_id", "productid", "item_id", "uniq_id", "pid", "product_sku"],
  name: ["name", "title", "product_name", "productname", "product_title", "item_name"],
  price: ["price", "cost", "sale_price", "discounted_price", "retail_price", "unit_price"],
  category: ["category", "type", "product_category_tree", "product_category", "product_type", "categories"],
  description: ["description", "product_description", "desc", "details"],
  brand: ["brand", "manufacturer", "make"],
  available: ["available", "in_stock", "instock", "stock", "availability", "is_available"],
  url: ["url", "link", "product_url", "product_link", "permalink"],
  image: ["image", "image_url", "image_link", "images", "img", "picture"],
  options: ["options", "specifications", "product_specifications", "product_specification", "specs", "attributes"],
};

const DELIMITERS = [",", ";", "\t", "|"];

export function delimiterOf(firstLine) {
  let best = DELIMITERS[0];
  let most = -1;
  for (const d of DELIMITERS) {
    const count = firstLine.split(d).length - 1;
    if (count > most) { best = d; most = count; }
  }
  return best;
}

// The first `limit` records of the text (quotes may hold delimiters, quotes doubled and line
// breaks); a quote opens a quoted field only at the field's start, as Python's csv reads it.
export function readRecords(text, delimiter, limit = 2) {
  const records = [];
  let record = [];
  let field = "";
  let quoted = false;
  let atStart = true;
  let i = 0;
  while (i < text.length && records.length < limit) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') quoted = false; else field += c;
      i += 1;
      continue;
    }
    if (c === '"' && atStart) {
      quoted = true;
      atStart = false;
    } else if (c === delimiter) {
      record.push(field);
      field = "";
      atStart = true;
    } else if (c === "\n" || c === "\r") {
      record.push(field);
      // Blank lines are no records (Python's csv skips them too).
      if (record.length > 1 || record[0] !== "") records.push(record);
      record = [];
      field = "";
      atStart = true;
      if (c === "\r" && text[i + 1] === "\n") i += 1;
    } else {
      field += c;
      atStart = false;
    }
    i += 1;
  }
  if (records.length < limit && (field !== "" || record.length)) {
    record.push(field);
    records.push(record);
  }
  return records;
}

// { columns, sample: {column: value}, delimiter } from the file's text; columns are trimmed,
// the empty and repeated ones left out. No columns: the first line is empty.
export function readHeader(text) {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = body.split("\n", 1)[0];
  if (!first.trim()) return { columns: [], sample: {}, delimiter: "," };
  const delimiter = delimiterOf(first);
  const [header = [], row = []] = readRecords(body, delimiter, 2);
  const columns = [];
  const sample = {};
  header.forEach((raw, i) => {
    const column = raw.trim();
    if (!column || columns.includes(column)) return;
    columns.push(column);
    sample[column] = (row[i] || "").trim();
  });
  return { columns, sample, delimiter };
}

function normal(column) {
  return column.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
}

// { field: column } for the fields some column obviously holds; a column is guessed once.
export function guessMapping(columns) {
  const byNormal = new Map();
  for (const column of columns) {
    const key = normal(column);
    if (!byNormal.has(key)) byNormal.set(key, column);
  }
  const taken = new Set();
  const mapping = {};
  for (const field of FIELDS) {
    for (const candidate of GUESSES[field]) {
      const column = byNormal.get(candidate);
      if (column && !taken.has(column)) {
        mapping[field] = column;
        taken.add(column);
        break;
      }
    }
  }
  return mapping;
}

// The catalog name the command line gives a file (`aisle kb import-catalog`): its name without
// the extension, lowercased, anything but letters and digits as "-"; so importing the same file
// from either place updates the same catalog.
export function catalogName(fileName) {
  const stem = String(fileName || "").replace(/\.[^.]*$/, "");
  const made = stem.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64).replace(/-+$/, "");
  return NAME_PATTERN.test(made) ? made : "catalog";
}

// The server's messages name the temporary file it read ("/tmp/aisle-catalog-x/shoes.csv: …"),
// and a failed import's error its exception class: the admin knows which file they chose.
export function cleanMessage(message) {
  return String(message || "")
    .replace(/^(CatalogImportError|CatalogMappingError|UnreadableCatalog): /, "")
    .replace(/(^|: )\/\S*?\/[^/\s]+\.csv: /, "$1");
}

export function megabytes(bytes, lang) {
  const n = bytes / (1024 * 1024);
  try {
    return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(n)} MB`;
  } catch {
    return `${n.toFixed(1)} MB`;
  }
}
