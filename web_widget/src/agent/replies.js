// Saved replies: their placeholders ({customer_name}, {agent_name}, {order_id}, {store_name})
// filled from what the console knows. One it cannot fill stays as typed, for the agent to
// edit: `firstGap` finds it so the composer can select it.

const PLACEHOLDER = /\{([a-z_]+)\}/g;

export function placeholderValues({ me, context, summary, item, storeName }) {
  const facts = (summary && summary.facts) || {};
  const customer = (context && context.customer) || (item && item.customer) || null;
  const mentioned = (facts.orders || []).map((o) => (o && typeof o === "object" ? o.id || o.order_id : o));
  const ordersOf = ((context && context.orders) || []).map((o) => o.id);
  return {
    customer_name: (customer && customer.name) || facts.customer_name || "",
    agent_name: (me && me.name) || "",
    order_id: mentioned.find(Boolean) || ordersOf.find(Boolean) || "",
    store_name: storeName || "",
  };
}

export function fillPlaceholders(text, values) {
  return String(text).replace(PLACEHOLDER, (whole, name) => {
    const value = values[name];
    return value == null || value === "" ? whole : String(value);
  });
}

// The first placeholder left in `text`, as [start, end], or null.
export function firstGap(text) {
  PLACEHOLDER.lastIndex = 0;
  const match = PLACEHOLDER.exec(text);
  PLACEHOLDER.lastIndex = 0;
  return match ? [match.index, match.index + match[0].length] : null;
}
