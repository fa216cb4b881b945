// qualkit's Document view: a transcript in order, codings as stripes in the margin, select words to
// code them, click a stripe to decide or remove it. Plain ES module for st.components.v2: no build
// step, nothing loaded from anywhere. Text from data is only ever set with textContent, never as HTML.

const LANE = 7; // px per stripe lane
const PAD = 10; // px between the stripes and the text

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function describe(c) {
  const parts = [c.name, c.status, `by ${c.coder}`];
  if (c.reviewer && c.reviewer !== c.coder) parts.push(`decided by ${c.reviewer}`);
  if (c.at) parts.push(c.at.replace("T", " "));
  if (c.score !== null && c.score !== undefined) parts.push(`score ${Number(c.score).toFixed(2)}`);
  if (c.part) parts.push(`characters ${c.start}–${c.end}`);
  return parts.join(" · ");
}

// Document offset of a boundary point inside a text element (or null when it is not in one).
function offsetIn(textEl, node, offset) {
  const range = document.createRange();
  range.setStart(textEl, 0);
  range.setEnd(node, offset);
  return Number(textEl.dataset.start) + range.toString().length;
}

function selectionSpan(root) {
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  const inside = (n) => root.contains(n.nodeType === 3 ? n.parentNode : n);
  if (!inside(range.startContainer) && !inside(range.endContainer)) return null;
  if (!inside(range.startContainer) || !inside(range.endContainer)) {
    return { error: "The selection runs outside this document: select words within one document." };
  }
  const texts = [...root.querySelectorAll(".qkd-text")].filter((t) => range.intersectsNode(t));
  if (!texts.length) return { error: "The selection holds no words of the text." };
  const first = texts[0], last = texts[texts.length - 1];
  const start = first.contains(range.startContainer)
    ? offsetIn(first, range.startContainer, range.startOffset) : Number(first.dataset.start);
  const end = last.contains(range.endContainer)
    ? offsetIn(last, range.endContainer, range.endOffset) : Number(last.dataset.end);
  if (end <= start) return { error: "The selection is empty: select some words." };
  const pieces = texts.map((t) => {
    const s0 = Number(t.dataset.start);
    return t.textContent.slice(Math.max(start, s0) - s0, Math.min(end, Number(t.dataset.end)) - s0);
  });
  if (!pieces.join("").trim()) return { error: "The selection is empty: select some words." };
  return { start, end, text: texts.length === 1 ? pieces[0] : null, preview: pieces.join(" … ") };
}

function rangeFor(root, start, end) {
  const texts = [...root.querySelectorAll(".qkd-text")].filter(
    (t) => Number(t.dataset.start) < end && Number(t.dataset.end) > start);
  return texts.map((t) => {
    const s0 = Number(t.dataset.start), node = t.firstChild || t;
    const len = t.textContent.length;
    const r = document.createRange();
    r.setStart(node, Math.max(0, Math.min(len, start - s0)));
    r.setEnd(node, Math.max(0, Math.min(len, end - s0)));
    return r;
  });
}

function highlight(root, layer, start, end, cls) {
  const box = root.getBoundingClientRect();
  const marks = [];
  for (const r of rangeFor(root, start, end)) {
    for (const rect of r.getClientRects()) {
      const m = el("div", cls);
      m.style.top = `${rect.top - box.top}px`;
      m.style.left = `${rect.left - box.left}px`;
      m.style.width = `${rect.width}px`;
      m.style.height = `${rect.height}px`;
      layer.appendChild(m);
      marks.push(m);
    }
  }
  return marks;
}

function layoutStripes(root, state) {
  const { data } = state;
  const layer = root.querySelector(".qkd-stripes");
  layer.replaceChildren();
  const box = root.getBoundingClientRect();
  const placed = [];
  for (const c of data.codings) {
    const ranges = rangeFor(root, c.start, c.end);
    if (!ranges.length) continue;
    const a = ranges[0].getBoundingClientRect(), b = ranges[ranges.length - 1].getBoundingClientRect();
    placed.push({ c, top: a.top - box.top, bottom: b.bottom - box.top });
  }
  placed.sort((x, y) => x.top - y.top || y.bottom - x.bottom);
  const lanes = [];
  for (const p of placed) {
    let lane = lanes.findIndex((bottom) => bottom < p.top);
    if (lane < 0) { lane = lanes.length; lanes.push(0); }
    lanes[lane] = p.bottom + 1;
    p.lane = lane;
  }
  const width = Math.max(1, lanes.length) * LANE + PAD;
  root.style.paddingLeft = `${width}px`;
  for (const p of placed) {
    const s = el("div", `qkd-stripe qkd-${p.c.status}`);
    s.style.top = `${p.top}px`;
    s.style.height = `${Math.max(6, p.bottom - p.top)}px`;
    s.style.left = `${p.lane * LANE + 2}px`;
    s.style.setProperty("--qkd-colour", p.c.color);
    s.title = describe(p.c);
    s.dataset.codingId = p.c.id;
    s.setAttribute("role", "button");
    s.setAttribute("aria-label", describe(p.c));
    s.tabIndex = 0;
    s.addEventListener("click", (e) => { e.stopPropagation(); openActions(root, state, p.c, s); });
    s.addEventListener("keydown", (e) => { if (e.key === "Enter") openActions(root, state, p.c, s); });
    layer.appendChild(s);
  }
}

function closePopups(root) {
  root.querySelectorAll(".qkd-popup, .qkd-hl").forEach((n) => n.remove());
}

function place(root, popup, y) {
  popup.style.top = `${Math.max(0, y)}px`;
  root.appendChild(popup);
}

function openActions(root, state, c, stripe) {
  closePopups(root);
  const layer = root.querySelector(".qkd-marks");
  highlight(root, layer, c.start, c.end, "qkd-hl");
  const popup = el("div", "qkd-popup qkd-actions");
  popup.dataset.codingId = c.id;
  popup.setAttribute("role", "dialog");
  popup.appendChild(el("div", "qkd-popup-title", c.name));
  popup.appendChild(el("div", "qkd-popup-note", describe(c)));
  const row = el("div", "qkd-buttons");
  const send = (action) => {
    state.setTriggerValue("action", { id: c.id, action, nonce: Date.now() });
    closePopups(root);
  };
  const choices = state.data.read_only ? [] : [
    ["accept", "Accept (A)", c.status !== "accepted"],
    ["reject", "Reject (X)", c.status !== "rejected"],
    ["remove", "Remove (Del)", true],
  ];
  for (const [action, label, shown] of choices) {
    if (!shown) continue;
    const button = el("button", `qkd-button qkd-${action}`, label);
    button.type = "button";
    button.addEventListener("click", (e) => { e.stopPropagation(); send(action); });
    row.appendChild(button);
  }
  const close = el("button", "qkd-button", "Close (Esc)");
  close.type = "button";
  close.addEventListener("click", (e) => { e.stopPropagation(); closePopups(root); });
  row.appendChild(close);
  popup.appendChild(row);
  popup.tabIndex = -1;
  popup.addEventListener("keydown", (e) => {
    const key = e.key.toLowerCase();
    if (key === "a" && c.status !== "accepted") send("accept");
    else if (key === "x" && c.status !== "rejected") send("reject");
    else if (key === "delete" || key === "backspace") send("remove");
    else if (key === "escape") closePopups(root);
  });
  place(root, popup, parseFloat(stripe.style.top));
  popup.focus({ preventScroll: true });
}

function openPicker(root, state, span) {
  closePopups(root);
  const popup = el("div", "qkd-popup qkd-picker");
  popup.setAttribute("role", "dialog");
  if (span.error) {
    popup.appendChild(el("div", "qkd-error", span.error));
    place(root, popup, state.lastY);
    return;
  }
  popup.appendChild(el("div", "qkd-popup-title", `Code “${span.preview.slice(0, 80)}${span.preview.length > 80 ? "…" : ""}”`));
  const filter = el("input", "qkd-filter");
  filter.placeholder = "Filter codes";
  filter.setAttribute("aria-label", "Filter codes");
  popup.appendChild(filter);
  const list = el("div", "qkd-codes");
  const boxes = [];
  state.data.codes.forEach((code, i) => {
    const label = el("label", "qkd-code");
    const box = el("input");
    box.type = "checkbox";
    box.value = code.key;
    const swatch = el("span", "qkd-swatch");
    swatch.style.background = code.color;
    label.append(box, swatch, el("span", "", `${i < 9 ? `${i + 1} ` : ""}${code.name}`));
    label.dataset.name = code.name.toLowerCase();
    list.appendChild(label);
    boxes.push(box);
  });
  popup.appendChild(list);
  const row = el("div", "qkd-buttons");
  const go = el("button", "qkd-button qkd-accept", "Code selection (Enter)");
  go.type = "button";
  const cancel = el("button", "qkd-button", "Cancel (Esc)");
  cancel.type = "button";
  row.append(go, cancel);
  popup.appendChild(row);
  const submit = () => {
    const codes = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!codes.length) { go.textContent = "Pick a code first"; return; }
    state.setTriggerValue("coded", { start: span.start, end: span.end, text: span.text, codes, nonce: Date.now() });
    closePopups(root);
    window.getSelection()?.removeAllRanges();
  };
  go.addEventListener("click", (e) => { e.stopPropagation(); submit(); });
  cancel.addEventListener("click", (e) => { e.stopPropagation(); closePopups(root); });
  filter.addEventListener("input", () => {
    const q = filter.value.toLowerCase();
    list.querySelectorAll(".qkd-code").forEach((l) => { l.style.display = l.dataset.name.includes(q) ? "" : "none"; });
  });
  popup.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); submit(); }
    else if (e.key === "Escape") closePopups(root);
    else if (e.target !== filter && /^[1-9]$/.test(e.key) && boxes[Number(e.key) - 1]) {
      const b = boxes[Number(e.key) - 1];
      b.checked = !b.checked;
    }
  });
  popup.addEventListener("mousedown", (e) => e.stopPropagation());
  popup.addEventListener("mouseup", (e) => e.stopPropagation());
  place(root, popup, state.lastY);
  popup.tabIndex = -1;
  popup.focus({ preventScroll: true });
}

// What is open when the document is drawn again (someone's change, from this page or elsewhere): the
// code picker keeps its selection's offsets, and a coding's actions reopen on that coding as it is now.
function openPopups(root) {
  const picker = root.querySelector(".qkd-picker");
  const actions = root.querySelector(".qkd-actions");
  return {
    picker,
    focused: picker !== null && picker.contains(document.activeElement),
    coding: actions ? Number(actions.dataset.codingId) : null,
  };
}

function reopen(root, state, open) {
  if (open.picker) {
    root.appendChild(open.picker);
    if (open.focused) open.picker.focus({ preventScroll: true });
  }
  if (open.coding !== null) {
    const c = state.data.codings.find((x) => x.id === open.coding);
    const stripe = root.querySelector(`.qkd-stripe[data-coding-id="${open.coding}"]`);
    if (c && stripe) openActions(root, state, c, stripe);
  }
}

function render(root, state) {
  const { data } = state;
  const open = openPopups(root);
  root.replaceChildren();
  root.appendChild(el("div", "qkd-marks"));
  root.appendChild(el("div", "qkd-stripes"));
  const body = el("div", "qkd-body");
  for (const s of data.segments) {
    const seg = el("div", `qkd-seg${s.interviewer ? " qkd-question" : ""}${s.codable ? "" : " qkd-uncoded"}`);
    seg.dataset.segmentId = s.id;
    if (s.speaker || s.time) {
      const head = el("div", "qkd-head");
      if (s.speaker) head.appendChild(el("span", "qkd-speaker", s.speaker));
      if (s.time) head.appendChild(el("span", "qkd-time", s.time));
      seg.appendChild(head);
    }
    const text = el("div", "qkd-text", s.text);
    text.dataset.start = s.start;
    text.dataset.end = s.end;
    seg.appendChild(text);
    body.appendChild(seg);
  }
  root.appendChild(body);
  layoutStripes(root, state);
  reopen(root, state, open);
}

function focusSpan(root, state) {
  const f = state.data.focus;
  if (!f) return;
  const key = `${f.start}-${f.end}`;
  if (root.dataset.focused === key) return;
  root.dataset.focused = key;
  const marks = highlight(root, root.querySelector(".qkd-marks"), f.start, f.end, "qkd-focus");
  if (marks.length) marks[0].scrollIntoView({ block: "center" });
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector(".qkd-root");
  if (!root) {
    root = el("div", "qkd-root");
    root.setAttribute("data-testid", "qkDocument");
    parentElement.appendChild(root);
    root.qkState = { lastY: 0 };
    root.addEventListener("mouseup", (e) => {
      const state = root.qkState;
      if (state.data.read_only) return;
      state.lastY = e.clientY - root.getBoundingClientRect().top + 12;
      const span = selectionSpan(root);
      if (span) openPicker(root, state, span);
    });
    root.addEventListener("keyup", (e) => {
      if (!e.shiftKey || root.qkState.data.read_only) return;
      const span = selectionSpan(root);
      if (span && !span.error) openPicker(root, root.qkState, span);
    });
    new ResizeObserver(() => { if (root.qkState.data) layoutStripes(root, root.qkState); }).observe(root);
  }
  const state = root.qkState;
  state.setTriggerValue = setTriggerValue;
  const fresh = !state.data || state.data.version !== data.version;
  state.data = data;
  if (fresh) {
    render(root, state);
    root.dataset.focused = "";
    root.dataset.version = data.version;
  }
  requestAnimationFrame(() => focusSpan(root, state));
}
