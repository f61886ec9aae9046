// Small DOM and formatting helpers shared by the staff pages.

// h('li', {class: 'x', dataset: {point: 'ha-noi'}}, 'text', child) — text
// children become text nodes, never HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name in el && typeof value !== 'string') el[name] = value;
    else el.setAttribute(name, value === true ? '' : value);
  }
  el.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

// Rebuilds `container` with `build()` (which returns its new children) and
// gives the focus back to the element with the same data-key, so live
// updates do not throw a keyboard user out of a list.
export function rebuild(container, build) {
  const focused = container.contains(document.activeElement) ? document.activeElement.dataset.key : undefined;
  container.replaceChildren(...build());
  if (focused !== undefined) {
    const again = container.querySelector(`[data-key="${CSS.escape(focused)}"]`);
    if (again && !again.disabled) again.focus();
  }
}

// A function that asks for `draw` at the next animation frame, once however
// often it is called before then.
export function drawPerFrame(draw) {
  let scheduled = 0;
  return () => {
    if (scheduled) return;
    scheduled = requestAnimationFrame(() => {
      scheduled = 0;
      draw();
    });
  };
}

// 75 s → "01:15"; 3725 s → "1:02:05".
export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n) => String(n).padStart(2, '0');
  const hours = Math.floor(s / 3600);
  const rest = `${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
  return hours ? `${hours}:${rest}` : rest;
}

// A Unix ms time as the date and wall clock of this browser, "08:00 16/11/2023".
export function dateTime(ms) {
  const d = new Date(ms);
  const day = d.toLocaleDateString('vi-VN', { day: '2-digit', month: '2-digit', year: 'numeric' });
  return `${clockTime(ms)} ${day}`;
}

// A Unix ms time as the wall clock of this browser, "14:05".
export function clockTime(ms) {
  return new Date(ms).toLocaleTimeString('vi-VN', { hour: '2-digit', minute: '2-digit', hour12: false });
}
