/*
 * Body chart: a tap on a region of the picture ([data-body-chart] .bc-region[data-region])
 * opens a chooser dialog whose toggles check/uncheck the real form checkboxes
 * input[name="chart_<code>"][value="<sensation>"], dispatching a bubbling "change" on each
 * (htmx autosaves on it). The picture follows the checkboxes: on load, on any change of a
 * chart_* checkbox, on form reset and after htmx swaps. Without this script, or without the
 * picture, the list of fieldsets works on its own.
 * CSP-safe: no inline styles or handlers; no dependencies.
 */
(() => {
  'use strict';

  const SENSATIONS = [
    { code: 'pain', label: 'Pain', kind: 'warm' },
    { code: 'pins_needles', label: 'Pins and needles or tingling', kind: 'nerve' },
    { code: 'numbness', label: 'Numbness', kind: 'nerve' },
    { code: 'burning', label: 'Burning', kind: 'warm' },
    { code: 'weakness', label: 'Weakness', kind: 'nerve' },
  ];
  const KIND = Object.fromEntries(SENSATIONS.map((s) => [s.code, s.kind]));
  const CHART_SELECTOR = '[data-body-chart]';
  const REGION_SELECTOR = '.bc-region[data-region]';

  // Marks kept here only for regions that have no checkboxes on the page (picture-only use).
  const looseMarks = new Map();

  let dialog = null;
  let current = null; // { chart, code, region }
  let returnFocus = null;

  const cssEscape = (s) => (window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, '\\$&'));

  function scopeOf(chart) {
    return (chart && chart.closest('form')) || document;
  }

  function checkbox(scope, code, sensation) {
    return scope.querySelector(
      `input[type="checkbox"][name="chart_${cssEscape(code)}"][value="${cssEscape(sensation)}"]`
    );
  }

  /** Sensations currently marked for a region (from the real checkboxes where they exist). */
  function felt(scope, code) {
    const out = new Set();
    for (const s of SENSATIONS) {
      const box = checkbox(scope, code, s.code);
      if (box ? box.checked : (looseMarks.get(code) || new Set()).has(s.code)) out.add(s.code);
    }
    return out;
  }

  function setMark(scope, code, sensation, on) {
    const box = checkbox(scope, code, sensation);
    if (box) {
      if (box.checked !== on && !box.disabled) {
        box.checked = on;
        box.dispatchEvent(new Event('change', { bubbles: true }));
      }
      return;
    }
    const set = looseMarks.get(code) || new Set();
    if (on) set.add(sensation); else set.delete(sensation);
    looseMarks.set(code, set);
  }

  function paintChart(chart) {
    const scope = scopeOf(chart);
    const cache = new Map();
    for (const region of chart.querySelectorAll(REGION_SELECTOR)) {
      const code = region.getAttribute('data-region');
      if (!cache.has(code)) cache.set(code, felt(scope, code));
      const marks = cache.get(code);
      region.classList.toggle('bc-marked', marks.size > 0);
      region.classList.toggle('bc-warm', [...marks].some((s) => KIND[s] === 'warm'));
      region.classList.toggle('bc-nerve', [...marks].some((s) => KIND[s] === 'nerve'));
      for (const s of SENSATIONS) region.classList.toggle(`bc-has-${s.code}`, marks.has(s.code));
    }
  }

  function paintAll() {
    document.querySelectorAll(CHART_SELECTOR).forEach(paintChart);
    if (current && dialog && dialog.open) syncDialog();
  }

  /** Plain-language label: the list's legend if there is one, else the region's <title>. */
  function regionLabel(scope, code, region) {
    const fieldset = scope.querySelector(`fieldset[data-region="${cssEscape(code)}"]`)
      || document.getElementById(`region-${code}`);
    const legend = fieldset && fieldset.querySelector('legend');
    if (legend && legend.textContent.trim()) return legend.textContent.trim();
    const title = region.querySelector('title');
    return title ? title.textContent.trim() : code;
  }

  function sensationLabel(scope, code, s) {
    const box = checkbox(scope, code, s.code);
    const label = box && box.id && scope.querySelector(`label[for="${cssEscape(box.id)}"]`);
    return (label && label.textContent.trim()) || s.label;
  }

  function el(tag, attrs = {}, text = '') {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text) node.textContent = text;
    return node;
  }

  // The dialog's words come from the chart's data-msg-* attributes, in the page's language
  // (templates/intake/kiosk/_body_chart_svg.html); the English is only a fallback.
  function message(name, english) {
    const chart = document.querySelector(CHART_SELECTOR);
    return (chart && chart.getAttribute('data-msg-' + name)) || english;
  }

  function buildDialog() {
    const d = el('dialog', {
      class: 'bc-dialog',
      'aria-labelledby': 'bc-dialog-title',
      'aria-describedby': 'bc-dialog-desc',
    });
    const body = el('div', { class: 'bc-dialog-body' });
    body.append(
      el('h2', { class: 'bc-dialog-title', id: 'bc-dialog-title' }),
      el('p', { class: 'bc-dialog-desc', id: 'bc-dialog-desc' }, message('ask', 'What do you feel here? Choose all that apply.'))
    );
    const choices = el('div', { class: 'bc-choices', role: 'group', 'aria-labelledby': 'bc-dialog-title' });
    for (const s of SENSATIONS) {
      const b = el('button', {
        type: 'button',
        class: 'bc-choice',
        'aria-pressed': 'false',
        'data-sensation': s.code,
        'data-kind': s.kind,
      });
      b.append(el('span', { class: 'bc-choice-check', 'aria-hidden': 'true' }), el('span', { class: 'bc-choice-label' }, s.label));
      choices.append(b);
    }
    const actions = el('div', { class: 'bc-dialog-actions' });
    actions.append(
      el('button', { type: 'button', class: 'btn btn-outline-secondary bc-clear', 'data-bc-clear': '' }, message('clear', 'Clear this area')),
      el('button', { type: 'button', class: 'btn btn-primary bc-done', 'data-bc-done': '' }, message('done', 'Done'))
    );
    body.append(choices, actions);
    d.append(body);

    d.addEventListener('click', (e) => {
      if (e.target === d) { close(); return; } // tap on the backdrop
      const choice = e.target.closest('.bc-choice');
      if (choice && current) {
        const on = choice.getAttribute('aria-pressed') !== 'true';
        setMark(scopeOf(current.chart), current.code, choice.getAttribute('data-sensation'), on);
        paintAll();
        return;
      }
      if (e.target.closest('[data-bc-clear]') && current) {
        const scope = scopeOf(current.chart);
        for (const s of SENSATIONS) setMark(scope, current.code, s.code, false);
        paintAll();
        close();
        return;
      }
      if (e.target.closest('[data-bc-done]')) close();
    });
    d.addEventListener('cancel', (e) => { e.preventDefault(); close(); }); // Escape: tidy up at once
    d.addEventListener('close', onClosed);
    // Dialogs without showModal support: still let Escape close it.
    d.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && typeof d.showModal !== 'function') { e.preventDefault(); close(); }
    });
    document.body.append(d);
    return d;
  }

  function syncDialog() {
    const scope = scopeOf(current.chart);
    const marks = felt(scope, current.code);
    for (const b of dialog.querySelectorAll('.bc-choice')) {
      const code = b.getAttribute('data-sensation');
      b.setAttribute('aria-pressed', String(marks.has(code)));
    }
  }

  function open(chart, region) {
    if (!dialog || !dialog.isConnected) dialog = buildDialog();
    if (dialog.open) close();
    const code = region.getAttribute('data-region');
    const scope = scopeOf(chart);
    current = { chart, code, region };
    dialog.setAttribute('data-region', code);
    dialog.querySelector('.bc-dialog-title').textContent = regionLabel(scope, code, region);
    for (const b of dialog.querySelectorAll('.bc-choice')) {
      const s = SENSATIONS.find((x) => x.code === b.getAttribute('data-sensation'));
      b.querySelector('.bc-choice-label').textContent = sensationLabel(scope, code, s);
    }
    syncDialog();
    chart.querySelectorAll(`${REGION_SELECTOR}.bc-active`).forEach((r) => r.classList.remove('bc-active'));
    chart.querySelectorAll(`.bc-region[data-region="${cssEscape(code)}"]`).forEach((r) => r.classList.add('bc-active'));

    const active = document.activeElement;
    returnFocus = active && active !== document.body ? active : null;
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
    const first = dialog.querySelector('.bc-choice');
    if (first) first.focus();
  }

  function close() {
    if (!dialog) return;
    if (typeof dialog.close === 'function' && dialog.open) dialog.close();
    else if (dialog.hasAttribute('open')) dialog.removeAttribute('open');
    onClosed(); // at once; the dialog's own "close" event (Escape) comes later and finds nothing to do
  }

  function onClosed() {
    if (!current) return;
    current.chart.querySelectorAll('.bc-region.bc-active').forEach((r) => r.classList.remove('bc-active'));
    current = null;
    const target = returnFocus;
    returnFocus = null;
    if (target && target.isConnected && typeof target.focus === 'function') {
      try { target.focus({ preventScroll: true }); } catch (_) { /* element can't take focus */ }
    } else if (document.activeElement && document.activeElement !== document.body
               && dialog.contains(document.activeElement)) {
      document.activeElement.blur();
    }
    paintAll();
  }

  function onClick(e) {
    const target = e.target;
    if (!(target instanceof Element)) return;
    const region = target.closest(REGION_SELECTOR);
    if (!region) return;
    const chart = region.closest(CHART_SELECTOR);
    if (!chart) return;
    e.preventDefault();
    open(chart, region);
  }

  function onChange(e) {
    const t = e.target;
    if (t && t.name && t.name.startsWith('chart_')) paintAll();
  }

  let started = false;
  function start() {
    if (started) return;
    started = true;
    document.addEventListener('click', onClick);
    document.addEventListener('change', onChange);
    // Form reset changes checkboxes without change events; the reset applies after the event.
    document.addEventListener('reset', () => setTimeout(paintAll, 0));
    // New content from htmx (a re-rendered step, a swapped list): repaint from the checkboxes.
    document.addEventListener('htmx:load', paintAll);
    document.addEventListener('htmx:afterSettle', paintAll);
    window.addEventListener('pageshow', paintAll); // back/forward cache restores checkbox state
    paintAll();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
