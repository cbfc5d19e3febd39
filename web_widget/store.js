// The demo store's own page script, as a store would write it: a product grid from the
// catalog and a cart kept in localStorage. The cart hears the widget's `add_to_cart` event,
// so "Add to cart" on a card in the chat puts the item here.
(() => {
  "use strict";
  const CART_KEY = "demo-store:cart";
  const grid = document.getElementById("products");
  const count = document.getElementById("cart-count");
  const items = document.getElementById("cart-items");
  const empty = document.getElementById("cart-empty");
  const total = document.getElementById("cart-total");
  const sum = document.getElementById("cart-sum");
  const GRADIENTS = [
    ["#c2410c", "#be123c"], ["#334155", "#475569"], ["#0e7490", "#1d4ed8"],
    ["#4d7c0f", "#15803d"], ["#7e22ce", "#4338ca"], ["#a16207", "#b45309"],
  ];

  const money = (n) => new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(Number(n));
  const load = () => { try { return JSON.parse(localStorage.getItem(CART_KEY)) || []; } catch { return []; } };
  const save = (cart) => { try { localStorage.setItem(CART_KEY, JSON.stringify(cart)); } catch { /* ignore */ } };
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  };

  function renderCart() {
    const cart = load();
    items.replaceChildren();
    let quantity = 0;
    let amount = 0;
    for (const line of cart) {
      quantity += line.quantity;
      amount += line.quantity * Number(line.price);
      const li = el("li");
      li.dataset.itemId = line.item_id;
      const label = el("span", null, `${line.quantity} × ${line.name}`);
      const options = Object.values(line.options || {}).join(" · ");
      if (options) label.appendChild(el("span", "opts", options));
      li.append(label, el("span", null, money(line.quantity * Number(line.price))));
      items.appendChild(li);
    }
    count.textContent = String(quantity);
    empty.hidden = cart.length > 0;
    total.hidden = cart.length === 0;
    sum.textContent = money(amount);
  }

  function addToCart(entry) {
    const cart = load();
    const line = cart.find((l) => l.item_id === entry.item_id);
    if (line) line.quantity += entry.quantity || 1;
    else cart.push({ ...entry, quantity: entry.quantity || 1 });
    save(cart);
    renderCart();
    const row = items.querySelector(`li[data-item-id="${CSS.escape(entry.item_id)}"]`);
    if (row) { row.classList.add("flash"); setTimeout(() => row.classList.remove("flash"), 900); }
  }

  function tile(product, index) {
    const li = el("li", "tile");
    const [from, to] = GRADIENTS[index % GRADIENTS.length];
    const art = el("div", "art", product.name.charAt(0));
    art.style.background = `linear-gradient(135deg, ${from}, ${to})`;
    art.setAttribute("aria-hidden", "true");
    const info = el("div", "info");
    info.appendChild(el("p", "name", product.name));
    const variants = product.variants.length;
    info.appendChild(el("p", "meta", `from ${money(product.price_from)} · ${variants} option${variants === 1 ? "" : "s"}`));
    const first = product.variants.find((v) => v.available);
    const add = el("button", "add", first ? "Add to cart" : "Sold out");
    add.type = "button";
    add.disabled = !first;
    add.setAttribute("aria-label", `${first ? "Add to cart" : "Sold out"}: ${product.name}`);
    if (first) {
      add.addEventListener("click", () => addToCart({
        item_id: first.item_id, product_id: product.product_id, name: product.name,
        options: first.options, price: first.price, quantity: 1,
      }));
    }
    info.appendChild(add);
    li.append(art, info);
    return li;
  }

  async function loadProducts() {
    try {
      const response = await fetch("/api/catalog/products");
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const { products } = await response.json();
      grid.replaceChildren(...products.map(tile));
    } catch (err) {
      grid.replaceChildren(el("li", "empty", `The catalog could not be loaded (${err.message}).`));
    } finally {
      grid.removeAttribute("aria-busy");
    }
  }

  // The widget is loaded with `defer` before this script, so window.Aisle exists here.
  if (window.Aisle) window.Aisle.on("add_to_cart", addToCart);
  window.addEventListener("storage", (event) => { if (event.key === CART_KEY) renderCart(); });
  renderCart();
  loadProducts();
})();
