/*
 * Signature pad for [data-signature-pad] containers:
 *   <canvas class="signature-canvas">, <input type="hidden" name="signature">, [data-signature-clear].
 * Pointer events (finger, pen, mouse), smoothed strokes, crisp on high-DPI screens, kept across
 * resizes and orientation changes. After each stroke the hidden input gets a PNG data URL
 * (at most 800 px wide) and a bubbling "change" event; Clear empties both. A data URL already in
 * the input (a resumed session) is drawn back. The container has class "is-signed" while
 * there is a signature. CSP-safe: no inline styles, and the saved image is decoded from bytes
 * (createImageBitmap), so it needs no img-src data: permission.
 */
(() => {
  'use strict';

  const INK = '#111827';
  const LINE_WIDTH = 2.6; // CSS px at the scale the stroke was drawn
  const EXPORT_MAX_WIDTH = 800;
  const MIN_STEP = 0.8; // CSS px between recorded points

  const ready = new WeakSet();

  function decodeDataUrl(url) {
    const m = /^data:(image\/[a-z0-9.+-]+)?(;base64)?,(.*)$/is.exec(url || '');
    if (!m || !m[2]) return Promise.reject(new Error('not a base64 image data URL'));
    const bin = atob(m[3].replace(/\s+/g, ''));
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i += 1) bytes[i] = bin.charCodeAt(i);
    const blob = new Blob([bytes], { type: m[1] || 'image/png' });
    if (typeof createImageBitmap === 'function') return createImageBitmap(blob);
    return new Promise((resolve, reject) => { // old browsers: needs img-src data:
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = reject;
      img.src = url;
    });
  }

  /**
   * A restored signature as ink on transparency (its white paper removed), so it sits on the
   * pad exactly like fresh strokes and the signing line shows through.
   */
  function inkOnly(image) {
    const w = image.width;
    const h = image.height;
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const g = c.getContext('2d');
    g.drawImage(image, 0, 0);
    try {
      const px = g.getImageData(0, 0, w, h);
      const d = px.data;
      const inkR = 0x11;
      const inkG = 0x18;
      const inkB = 0x27;
      const inkLum = (inkR + inkG + inkB) / 3;
      for (let i = 0; i < d.length; i += 4) {
        const lum = (d[i] + d[i + 1] + d[i + 2]) / 3;
        const dark = ((255 - lum) * d[i + 3]) / 255; // 0 = paper (or transparent), 255 = black
        d[i] = inkR;
        d[i + 1] = inkG;
        d[i + 2] = inkB;
        d[i + 3] = Math.min(255, Math.round((dark * 255) / (255 - inkLum)));
      }
      g.putImageData(px, 0, 0);
    } catch (_) {
      return image; // pixels unreadable: draw the image as it is
    }
    return c;
  }

  function init(root) {
    if (ready.has(root)) return;
    const canvas = root.querySelector('canvas');
    const input = root.querySelector('input[type="hidden"]');
    if (!canvas || !input) return;
    ready.add(root);
    const clearButton = root.querySelector('[data-signature-clear]');
    const ctx = canvas.getContext('2d');

    // Drawing model, in "document" units. The view maps it onto the canvas, scaled to fit, so a
    // rotation or resize keeps the whole signature visible without distorting it.
    let doc = null; // { x, y, w, h } or null when empty
    let base = null; // { image, x, y, w, h }: a signature restored from the input
    let strokes = []; // { width, pts: [[x, y], ...] }
    let active = null; // { id, stroke }
    let cssW = 0;
    let cssH = 0;
    let dpr = 1;
    let view = { s: 1, ox: 0, oy: 0 };
    let loadToken = 0;

    const hasSignature = () => Boolean(base) || strokes.length > 0;

    function computeView() {
      if (!doc || !cssW || !cssH) { view = { s: 1, ox: 0, oy: 0 }; return; }
      const s = Math.min(cssW / doc.w, cssH / doc.h);
      view = { s, ox: -doc.x * s, oy: -doc.y * s + (cssH - doc.h * s) / 2 };
    }

    function drawStroke(c, stroke) {
      const p = stroke.pts;
      c.lineWidth = stroke.width;
      if (p.length === 1) {
        c.beginPath();
        c.arc(p[0][0], p[0][1], stroke.width / 2, 0, Math.PI * 2);
        c.fill();
        return;
      }
      c.beginPath();
      c.moveTo(p[0][0], p[0][1]);
      c.lineTo((p[0][0] + p[1][0]) / 2, (p[0][1] + p[1][1]) / 2);
      for (let i = 1; i < p.length - 1; i += 1) {
        c.quadraticCurveTo(p[i][0], p[i][1], (p[i][0] + p[i + 1][0]) / 2, (p[i][1] + p[i + 1][1]) / 2);
      }
      c.lineTo(p[p.length - 1][0], p[p.length - 1][1]);
      c.stroke();
    }

    function prepareInk(c) {
      c.strokeStyle = INK;
      c.fillStyle = INK;
      c.lineCap = 'round';
      c.lineJoin = 'round';
    }

    /** Paint the whole drawing with the given transform (document units -> pixels). */
    function render(c, scale, ox, oy, forExport) {
      c.setTransform(1, 0, 0, 1, 0, 0);
      c.clearRect(0, 0, c.canvas.width, c.canvas.height);
      if (forExport) {
        c.fillStyle = '#fff';
        c.fillRect(0, 0, c.canvas.width, c.canvas.height);
      }
      c.setTransform(scale, 0, 0, scale, ox, oy);
      if (base) c.drawImage(base.image, base.x, base.y, base.w, base.h);
      prepareInk(c);
      for (const stroke of strokes) drawStroke(c, stroke);
    }

    function redraw() {
      computeView();
      render(ctx, view.s * dpr, view.ox * dpr, view.oy * dpr, false);
    }

    function resize() {
      if (!canvas.isConnected) return; // swapped out by htmx
      const w = canvas.clientWidth;
      const h = canvas.clientHeight;
      const ratio = window.devicePixelRatio || 1;
      if (!w || !h) return; // hidden (e.g. a collapsed step): sized when it appears
      if (w === cssW && h === cssH && ratio === dpr) return;
      cssW = w;
      cssH = h;
      dpr = ratio;
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      redraw();
    }

    function exportPng() {
      const width = Math.min(EXPORT_MAX_WIDTH, Math.round(cssW * dpr));
      const k = width / cssW;
      const out = document.createElement('canvas');
      out.width = width;
      out.height = Math.max(1, Math.round(cssH * k));
      render(out.getContext('2d'), view.s * k, view.ox * k, view.oy * k, true);
      return out.toDataURL('image/png');
    }

    function setSignedClass() {
      root.classList.toggle('is-signed', hasSignature());
    }

    function save() {
      input.value = hasSignature() ? exportPng() : '';
      setSignedClass();
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }

    function clear(notify) {
      loadToken += 1; // a restore still decoding must not come back after Clear
      doc = null;
      base = null;
      strokes = [];
      active = null;
      redraw();
      setSignedClass();
      if (notify) {
        input.value = '';
        input.dispatchEvent(new Event('change', { bubbles: true }));
      }
    }

    function loadFromInput() {
      const value = input.value.trim();
      clear(false);
      if (!value.startsWith('data:image/')) return;
      const token = loadToken;
      root.classList.add('is-signed');
      decodeDataUrl(value).then((image) => {
        if (token !== loadToken || strokes.length) return; // cleared or re-signed meanwhile
        const w = image.width;
        const h = image.height;
        if (!w || !h) return;
        base = { image: inkOnly(image), x: 0, y: 0, w, h };
        doc = { x: 0, y: 0, w, h };
        redraw();
        setSignedClass();
      }).catch(() => { setSignedClass(); });
    }

    // ---- pointer input
    function toDoc(e) {
      const rect = canvas.getBoundingClientRect();
      const x = e.clientX - rect.left - canvas.clientLeft;
      const y = e.clientY - rect.top - canvas.clientTop;
      return [(x - view.ox) / view.s, (y - view.oy) / view.s];
    }

    /** Grow the document to the visible area, so new ink anywhere is kept, without moving the view. */
    function growDocToView() {
      const visible = { x: -view.ox / view.s, y: -view.oy / view.s, w: cssW / view.s, h: cssH / view.s };
      if (!doc) { doc = visible; return; }
      const x0 = Math.min(doc.x, visible.x);
      const y0 = Math.min(doc.y, visible.y);
      const x1 = Math.max(doc.x + doc.w, visible.x + visible.w);
      const y1 = Math.max(doc.y + doc.h, visible.y + visible.h);
      doc = { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
    }

    function setLiveTransform() {
      ctx.setTransform(view.s * dpr, 0, 0, view.s * dpr, view.ox * dpr, view.oy * dpr);
      prepareInk(ctx);
    }

    function addPoint(pt) {
      const stroke = active.stroke;
      const p = stroke.pts;
      const last = p[p.length - 1];
      if (Math.hypot(pt[0] - last[0], pt[1] - last[1]) * view.s < MIN_STEP) return;
      p.push(pt);
      const n = p.length;
      setLiveTransform();
      ctx.lineWidth = stroke.width;
      ctx.beginPath();
      if (n === 2) {
        ctx.moveTo(p[0][0], p[0][1]);
        ctx.lineTo((p[0][0] + p[1][0]) / 2, (p[0][1] + p[1][1]) / 2);
      } else {
        const a = p[n - 3];
        const b = p[n - 2];
        const c = p[n - 1];
        ctx.moveTo((a[0] + b[0]) / 2, (a[1] + b[1]) / 2);
        ctx.quadraticCurveTo(b[0], b[1], (b[0] + c[0]) / 2, (b[1] + c[1]) / 2);
      }
      ctx.stroke();
    }

    canvas.addEventListener('pointerdown', (e) => {
      if (active || (e.pointerType === 'mouse' && e.button !== 0)) return;
      e.preventDefault();
      resize();
      if (!cssW) return;
      try { canvas.setPointerCapture(e.pointerId); } catch (_) { /* synthetic pointer */ }
      growDocToView();
      computeView(); // unchanged by construction, but exact for the first stroke
      const stroke = { width: LINE_WIDTH / view.s, pts: [toDoc(e)] };
      strokes.push(stroke);
      active = { id: e.pointerId, stroke };
      setLiveTransform();
      drawStroke(ctx, stroke); // a dot, so a tap shows at once
    });

    canvas.addEventListener('pointermove', (e) => {
      if (!active || e.pointerId !== active.id) return;
      e.preventDefault();
      const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
      for (const ev of (events.length ? events : [e])) addPoint(toDoc(ev));
    });

    function endStroke(e) {
      if (!active || e.pointerId !== active.id) return;
      e.preventDefault();
      if (e.type === 'pointerup') addPoint(toDoc(e));
      active = null;
      try { canvas.releasePointerCapture(e.pointerId); } catch (_) { /* already released */ }
      redraw(); // replace the live segments with the finished, smoothed stroke
      save();
    }
    canvas.addEventListener('pointerup', endStroke);
    canvas.addEventListener('pointercancel', endStroke);
    canvas.addEventListener('lostpointercapture', endStroke);

    // Belt and braces for browsers that still scroll on touch despite touch-action: none.
    const stop = (e) => { if (e.cancelable) e.preventDefault(); };
    canvas.addEventListener('touchstart', stop, { passive: false });
    canvas.addEventListener('touchmove', stop, { passive: false });
    canvas.addEventListener('contextmenu', stop);

    if (clearButton) {
      clearButton.addEventListener('click', (e) => {
        e.preventDefault();
        clear(true);
      });
    }

    const form = root.closest('form');
    if (form) form.addEventListener('reset', () => setTimeout(loadFromInput, 0));

    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(() => resize()).observe(canvas);
    }
    window.addEventListener('resize', resize);
    window.addEventListener('orientationchange', () => setTimeout(resize, 50));
    // devicePixelRatio changes (zoom, moving screens) do not always resize the box.
    if (window.matchMedia) {
      const watchDpr = () => {
        const mq = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
        const onChange = () => { resize(); watchDpr(); };
        if (mq.addEventListener) mq.addEventListener('change', onChange, { once: true });
      };
      watchDpr();
    }

    resize();
    loadFromInput();
  }

  function initAll(scope) {
    const root = scope && scope.querySelectorAll ? scope : document;
    if (root.matches && root.matches('[data-signature-pad]')) init(root);
    root.querySelectorAll('[data-signature-pad]').forEach(init);
  }

  let started = false;
  function start() {
    if (started) return;
    started = true;
    initAll(document);
    document.addEventListener('htmx:load', (e) => initAll(e.target));
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
