// The hand-off's controls, drawn from who holds it: Claim while it waits (or sits offline),
// "<name> has this conversation" while another agent holds it, and Transfer, Hand back and
// Resolve for its holder (or an admin). The caller does the requests (`on.claim(...)` etc.).
import { el, button } from "../rich.js";

let uid = 0;

export function holding(item, me) {
  return Boolean(item && me && item.status === "active" && item.agent_id === me.id);
}

export function createActions({ t, on }) {
  const bar = el("div", "ac-actions");
  bar.setAttribute("role", "group");
  bar.setAttribute("aria-label", t.conversation);

  const claim = button(t.claim, "ac-btn ac-btn-primary", () => on.claim());
  claim.dataset.testid = "claim";
  const takenBy = el("p", "ac-taken");
  takenBy.dataset.testid = "taken-by";
  const youHold = el("p", "ac-held", t.youHold);

  const transferBox = el("div", "ac-transfer");
  const selectId = `ac-transfer-${++uid}`;
  const transferLabel = el("label", "sr-only", t.transferTo);
  transferLabel.htmlFor = selectId;
  const select = el("select", "ac-select");
  select.id = selectId;
  select.dataset.testid = "transfer-select";
  const transfer = button(t.transfer, "ac-btn", () => {
    if (select.value) on.transfer(select.value, select.selectedOptions[0].dataset.name || select.value);
    else select.focus();
  });
  transfer.dataset.testid = "transfer";
  transferBox.append(transferLabel, select, transfer);

  const handback = button(t.handBack, "ac-btn", () => on.handback());
  handback.dataset.testid = "handback";
  const resolve = button(t.resolve, "ac-btn ac-btn-resolve", () => on.resolve());
  resolve.dataset.testid = "resolve";
  bar.append(claim, transferBox, handback, resolve);
  const holder = el("div", "ac-holder");
  holder.append(takenBy, youHold);

  let agents = [];
  let busy = false;

  function fillAgents(me) {
    const chosen = select.value;
    const options = [el("option", null, t.chooseAgent)];
    options[0].value = "";
    for (const agent of agents) {
      if (me && agent.id === me.id) continue;
      const option = el("option", null, agent.online ? `${agent.name} (${t.online})` : agent.name);
      option.value = agent.email;
      option.dataset.name = agent.name;
      options.push(option);
    }
    select.replaceChildren(...options);
    if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
  }

  return {
    node: bar,
    holder,
    setAgents(list, me) { agents = list || []; fillAgents(me); },
    setBusy(on) {
      busy = on;
      for (const b of bar.querySelectorAll("button, select")) b.disabled = on;
    },
    // `taken`: a holder's name learnt from a refused claim, until the inbox catches up.
    render(item, me, taken) {
      const status = item ? item.status : null;
      const mine = holding(item, me);
      const admin = Boolean(me && me.role === "admin");
      const other = status === "active" && !mine;
      const holder = taken || (other ? item.agent : null);
      claim.hidden = !(status === "requested" || status === "offline") || Boolean(taken);
      takenBy.hidden = !holder;
      takenBy.textContent = holder ? t.takenBy(holder) : "";
      youHold.hidden = !mine;
      const manage = mine || (other && admin);
      transferBox.hidden = !manage;
      handback.hidden = !manage;
      resolve.hidden = !(manage || status === "offline");
      bar.hidden = !status || ![claim, transferBox, handback, resolve].some((n) => !n.hidden);
      if (!busy) for (const b of bar.querySelectorAll("button, select")) b.disabled = false;
    },
    focusMain() {
      const target = [claim, select, resolve].find((b) => !b.hidden && !b.closest("[hidden]"));
      if (target) target.focus();
    },
  };
}
