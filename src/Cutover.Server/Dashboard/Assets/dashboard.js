// Cutover dashboard. Plain JavaScript, no library: reads the admin API, draws with the DOM and SVG, and never inserts a
// value from the API as HTML (textContent and attributes only). The page's Content-Security-Policy allows this file
// and nothing inline.
'use strict';

(function () {
  const READ_KEY = 'cutover.readToken';
  const OPERATE_KEY = 'cutover.operateToken';
  const SVG = 'http://www.w3.org/2000/svg';
  const WINDOW = '1h';
  // Figures (stats, series) also move without any change event: re-read them on a heartbeat at most this often.
  const FIGURES_EVERY_MS = 15000;

  const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
  const view = { status: null, stats: null, series: null, rollout: null, plan: null, health: null };
  let lastRead = 0;
  let refreshing = null;
  let again = false;
  let streamAbort = null;

  // ---- tokens: in sessionStorage only (gone with the tab), sent as a bearer header, never put in a URL ----
  const readToken = () => sessionStorage.getItem(READ_KEY) || '';
  const operateToken = () => sessionStorage.getItem(OPERATE_KEY) || '';

  function headers(token, json) {
    const h = { Accept: 'application/json' };
    if (token) h.Authorization = `Bearer ${token}`;
    if (json) h['Content-Type'] = 'application/json';
    return h;
  }

  async function getJson(path) {
    const res = await fetch(path, { headers: headers(readToken()), cache: 'no-store' });
    if (!res.ok) {
      const err = new Error(await problemOf(res));
      err.status = res.status;
      throw err;
    }
    return res.json();
  }

  async function problemOf(res) {
    try {
      const body = await res.json();
      if (body && typeof body.message === 'string') return `${res.status}: ${body.message}`;
    } catch (_) { /* not JSON */ }
    return `${res.status} ${res.statusText}`;
  }

  // ---- small DOM helpers: text only ----
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function setText(id, text) { $(id).textContent = text; }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  // Number formats, kept simple so a test can write them the same way.
  const int = (n) => (n === null || n === undefined ? '–' : String(Math.round(n)));
  const ms = (n) => (n === null || n === undefined ? '–' : `${n.toFixed(1)} ms`);
  const pct = (n) => (n === null || n === undefined ? '–' : `${Number(n.toFixed(3))}%`);
  const fig = (n) => (n === null || n === undefined ? '–' : String(Number(Number(n).toFixed(3))));

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '–';
    const s = Math.max(0, Math.round(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    if (h > 0) return `${h}h ${m}m`;
    if (m > 0) return `${m}m ${s % 60}s`;
    return `${s}s`;
  }

  function when(iso) {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? String(iso) : d.toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  }

  function banner(text) {
    const b = $('banner');
    b.textContent = text || '';
    b.hidden = !text;
  }

  // ---- reading everything ----
  function refresh() {
    if (refreshing) { again = true; return refreshing; }
    refreshing = readAll().finally(() => {
      refreshing = null;
      if (again) { again = false; refresh(); }
    });
    return refreshing;
  }

  async function readAll() {
    const parts = await Promise.allSettled([
      getJson('/admin/status'),
      getJson(`/admin/stats?window=${WINDOW}`),
      getJson(`/admin/stats/series?window=${WINDOW}`),
      getJson('/admin/rollout'),
      getJson('/admin/rollout/plan'),
      getJson('/admin/health'),
      getJson('/admin/history?limit=30'),
      getJson('/admin/rollbacks?limit=20'),
    ]);
    const failed = parts.find((p) => p.status === 'rejected');
    if (failed) {
      banner(failed.reason.status === 401 || failed.reason.status === 403
        ? `The admin API refused the read token: ${failed.reason.message}`
        : `Could not read the admin API: ${failed.reason.message}`);
    } else {
      banner('');
    }
    const value = (i) => (parts[i].status === 'fulfilled' ? parts[i].value : null);
    [view.status, view.stats, view.series, view.rollout, view.plan, view.health] = [0, 1, 2, 3, 4, 5].map(value);
    if (view.rollout) renderRollout(view.rollout, view.health, view.series);
    if (view.stats) renderTotals(view.stats);
    if (view.status) renderDomains(view.status, view.stats);
    if (view.series) renderCharts(view.series);
    if (view.status) renderQueue(view.status, view.stats);
    renderTimeline(value(6), value(7));
    await readErrors();
    lastRead = Date.now();
    setText('updated', `read at ${new Date(lastRead).toISOString().slice(11, 19)}Z`);
  }

  // ---- the rollout, its gates, what happens next ----
  function renderRollout(r, health, series) {
    setText('rollout-state', r.paused ? `${r.state} (paused)` : r.state);
    setText('rollout-step', r.step === 0 ? `– of ${r.steps}` : `${r.step} of ${r.steps}`);
    setText('rollout-percent', pct(r.percent));
    setText('rollout-mode', r.mode);
    setText('rollout-soak-left', r.soak_left_seconds === null ? '–' : duration(r.soak_left_seconds));
    setText('rollout-step-requests', r.step === 0 ? '–' : `${int(r.step_requests)} of ${int(r.step_min_requests)}`);
    setText('health-state', health ? health.state : '–');
    setText('rollout-next', r.next);

    const gates = $('gates');
    clear(gates);
    for (const g of r.gates) {
      const li = el('li');
      li.dataset.gate = g.name;
      li.append(el('span', 'name', g.name), el('span', `state ${g.state}`, g.state));
      const value = el('span', 'fig', `value ${fig(g.value)}`);
      value.dataset.testid = 'gate-value';
      const threshold = el('span', 'fig', `threshold ${fig(g.threshold)}`);
      threshold.dataset.testid = 'gate-threshold';
      li.append(value, threshold, el('span', 'msg', g.message));
      gates.append(li);
    }

    const plan = $('plan');
    clear(plan);
    for (const s of r.plan) {
      const li = el('li', s.step === r.step ? 'current' : '', `${pct(s.percent)}, soak ${s.soak}, at least ${int(s.min_requests)} requests`);
      plan.append(li);
    }

    // Insufficient data: how many more requests, and when they may be there at the rate of the last minutes.
    const notes = $('insufficient');
    clear(notes);
    const rate = unifiedPerMinute(series);
    const lacking = new Map();
    for (const g of r.gates.filter((x) => x.state === 'insufficient_data')) {
      if (g.name === 'step_requests' && g.value !== null && g.threshold !== null) {
        const more = Math.max(0, g.threshold - g.value);
        const eta = rate > 0 ? `~${duration((more / rate) * 60)} at ${fig(rate)} a minute` : '~no unified requests arriving';
        notes.append(el('li', null, `insufficient data: ${int(more)} more requests at this step (${eta})`));
        continue;
      }
      // Health's checks say it in their message: "needs N more what (have of need); when". One line per kind of
      // sample, the largest need of the checks that wait for it.
      const m = /needs ([\d,]+) more ([^(;]+?) \((?:[^)]*)\)(?:; (.*))?$/.exec(g.message);
      if (!m) { notes.append(el('li', null, `insufficient data: ${g.name}: ${g.message}`)); continue; }
      const n = Number(m[1].replace(/,/g, ''));
      const seen = lacking.get(m[2]);
      if (!seen || seen.n < n) lacking.set(m[2], { n, when: m[3] || '', checks: (seen ? seen.checks : []).concat(g.name) });
      else seen.checks.push(g.name);
    }
    for (const [what, l] of lacking) {
      notes.append(el('li', null, `insufficient data: ${int(l.n)} more ${what}${l.when ? ` (~${l.when})` : ''} for ${l.checks.join(', ')}`));
    }
    notes.hidden = notes.childElementCount === 0;

    // A control is offered when the rollout can take it; the server has the last word either way.
    const active = ['soaking', 'awaiting_promotion', 'holding', 'halted'].includes(r.state);
    document.querySelector('[data-command="promote"]').disabled = !active || r.step >= r.steps;
    document.querySelector('[data-command="pause"]').disabled = !active || r.paused;
    document.querySelector('[data-command="resume"]').disabled = !active || (!r.paused && r.state !== 'halted');
  }

  function unifiedPerMinute(series) {
    if (!series || !series.points.length) return 0;
    // The last five whole minutes (the newest point is the unfinished minute).
    const whole = series.points.slice(-6, -1);
    if (!whole.length) return 0;
    return whole.reduce((sum, p) => sum + p.unified.requests, 0) / whole.length;
  }

  // ---- unified against legacy ----
  function renderTotals(stats) {
    setText('stats-window', `(last ${stats.window})`);
    const list = $('totals');
    clear(list);
    for (const [route, t] of [['unified', stats.totals.unified], ['legacy', stats.totals.legacy]]) {
      const li = el('li');
      li.dataset.route = route;
      li.append(el('span', 'name', route));
      for (const [key, text] of [
        ['requests', `${int(t.request_count)} requests`],
        ['p95', `p95 ${ms(t.p95_ms)}`],
        ['error-rate', `errors ${pct(t.error_rate_pct)}`],
        ['errors', `${int(t.error_count)} failed`],
        ['fallbacks', `${int(t.fallback_count)} fallbacks`],
      ]) {
        const span = el('span', 'fig', text);
        span.dataset.testid = `total-${route}-${key}`;
        li.append(span);
      }
      list.append(li);
    }
  }

  // ---- per domain: configured and actual ----
  function renderDomains(status, stats) {
    const list = $('domains');
    clear(list);
    const names = Object.keys(status.domains).sort();
    for (const name of names) {
      const d = status.domains[name];
      const li = el('li');
      li.dataset.domain = name;
      li.append(el('span', 'name', name));
      const configured = el('span', 'fig', `configured ${pct(d.percent)}`);
      configured.dataset.testid = 'domain-configured';
      li.append(configured);
      const rows = stats ? stats.routes.filter((r) => r.domain === name) : [];
      const unified = rows.find((r) => r.routed_to === 'unified');
      const requests = rows.reduce((s, r) => s + r.request_count, 0);
      const actual = el('span', 'fig', requests === 0 ? 'actual – (no requests)' : `actual ${pct(unified ? unified.share_pct : 0)}`);
      actual.dataset.testid = 'domain-actual';
      li.append(actual);
      const fallbacks = rows.reduce((s, r) => s + r.fallback_count, 0);
      li.append(el('span', 'fig', `${int(requests)} requests, ${int(fallbacks)} fallbacks`));
      const flags = [];
      if (d.protected) flags.push('protected');
      if (!d.routable) flags.push('not routable');
      if (d.own_percent !== null && d.own_percent !== undefined) flags.push('own percent');
      if (flags.length) li.append(el('span', 'msg', flags.join(', ')));
      list.append(li);
    }
    if (!names.length) list.append(el('li', null, 'no domains configured'));
  }

  // ---- charts: hand-drawn SVG ----
  function renderCharts(series) {
    const t = series.thresholds;
    drawChart($('chart-p95'), series.points, (f) => f.p95_ms, t.p95_warn_ms, t.p95_critical_ms, ' ms');
    drawChart($('chart-errors'), series.points, (f) => (f.requests > 0 ? f.error_rate_pct : null), t.error_rate_warn_pct, t.error_rate_critical_pct, '%');
  }

  function svg(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  }

  function drawChart(host, points, pick, warn, critical, unit) {
    clear(host);
    // Drawn in the pixels it is shown in, so the labels keep their size from a phone to a wide screen.
    const W = Math.max(200, Math.round(host.clientWidth || 600)), H = 170, L = 46, R = 8, T = 8, B = 22;
    const values = [];
    for (const p of points) for (const f of [p.unified, p.legacy]) { const v = pick(f); if (v !== null && v !== undefined) values.push(v); }
    const top = values.length ? Math.max(...values) : 0;
    // The threshold lines are drawn when the figures come near them; far below, the chart shows the figures and says
    // where the lines are.
    const showLines = top >= warn * 0.5;
    let max = showLines ? Math.max(top, critical) * 1.1 : Math.max(top * 1.25, unit === '%' ? 0.01 : 1);
    if (max <= 0) max = 1;
    const x = (i) => L + (points.length <= 1 ? 0 : (i * (W - L - R)) / (points.length - 1));
    const y = (v) => T + (H - T - B) * (1 - v / max);

    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img' });
    root.append(svg('line', { x1: L, y1: T, x2: L, y2: H - B, stroke: '#9aa5ae' }));
    root.append(svg('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#9aa5ae' }));
    for (const v of [0, max / 2, max]) {
      const label = svg('text', { x: L - 4, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#5b6670' });
      label.textContent = v === 0 ? '0' : v < 10 ? String(Number(v.toPrecision(2))) : String(Math.round(v));
      root.append(label);
    }
    if (points.length) {
      for (const [i, anchor] of [[0, 'start'], [points.length - 1, 'end']]) {
        const label = svg('text', { x: x(i), y: H - 6, 'text-anchor': anchor, 'font-size': 11, fill: '#5b6670' });
        label.textContent = `${new Date(points[i].at).toISOString().slice(11, 16)}Z`;
        root.append(label);
      }
    }
    if (showLines) {
      for (const [v, colour] of [[warn, '#d29922'], [critical, '#cf222e']]) {
        root.append(svg('line', { x1: L, y1: y(v), x2: W - R, y2: y(v), stroke: colour, 'stroke-dasharray': '6 4', 'stroke-width': 1.5 }));
      }
    }
    for (const [route, colour] of [['legacy', '#8b949e'], ['unified', '#1f6feb']]) {
      let d = '';
      let pen = false;
      points.forEach((p, i) => {
        const v = pick(p[route]);
        if (v === null || v === undefined) { pen = false; return; }
        d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)} ${y(v).toFixed(1)} `;
        pen = true;
      });
      if (d) root.append(svg('path', { d: d.trim(), fill: 'none', stroke: colour, 'stroke-width': 2, 'data-route': route }));
      // A dot per minute with figures: a lone minute draws no line.
      points.forEach((p, i) => {
        const v = pick(p[route]);
        if (v !== null && v !== undefined) root.append(svg('circle', { cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 2.5, fill: colour }));
      });
    }
    host.append(root);
    if (!values.length) host.append(el('p', 'off', 'no requests in the window'));
    else if (!showLines) host.append(el('p', 'off', `warn ${fig(warn)}${unit}, critical ${fig(critical)}${unit}: far above the figures`));
  }

  // ---- delivery: fallbacks, queue, dead letters ----
  function renderQueue(status, stats) {
    const list = $('queue');
    clear(list);
    const row = (name, text, id) => {
      const li = el('li');
      li.append(el('span', 'name', name));
      const f = el('span', 'fig', text);
      if (id) f.dataset.testid = id;
      li.append(f);
      list.append(li);
    };
    row('mode', status.delivery, 'delivery-mode');
    if (stats) row('fallbacks', `${int(stats.totals.unified.fallback_count)} in the last ${stats.window}`, 'fallbacks');
    const q = status.queue;
    if (q) {
      row('backlog', `${int(q.pending)} waiting, ${int(q.in_flight)} in flight`, 'queue-backlog');
      row('dead letters', `${int(q.dead)} (unified, recent: ${int(q.unified_dead_letters_recent)})`, 'queue-dead');
      row('oldest', duration(q.oldest_undelivered_age_seconds));
      row('workers', `${int(q.workers_busy)} of ${int(q.workers)} busy`);
    }
  }

  // ---- the timeline: audit events and rollbacks, newest first ----
  function renderTimeline(history, rollbacks) {
    const list = $('timeline');
    clear(list);
    const items = [];
    for (const e of (history && history.events) || []) {
      items.push({ at: e.at, kind: e.kind, actor: e.actor, reason: e.reason, cls: e.kind.includes('rollback') ? 'rollback' : '' });
    }
    for (const r of rollbacks || []) {
      items.push({
        at: r.at, kind: `rollback ${pct(r.from_percent)} → ${pct(r.to_percent)}${r.domain ? ` (${r.domain})` : ''}`,
        actor: r.rolled_back_by, reason: r.reason, cls: 'rollback',
      });
    }
    items.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    for (const i of items.slice(0, 40)) {
      const li = el('li');
      const t = el('time', null, when(i.at));
      t.setAttribute('datetime', i.at);
      li.append(t, el('span', `kind ${i.cls}`, i.kind), el('span', 'actor', `by ${i.actor}`), el('span', 'reason', i.reason));
      list.append(li);
    }
    if (!items.length) list.append(el('li', null, 'nothing has changed yet'));
  }

  // ---- recent errors, from the decision stream when the server has it ----
  async function readErrors() {
    const list = $('errors');
    let body;
    try {
      body = await getJson(`/admin/decisions?errors=true&window=${WINDOW}&limit=20`);
    } catch (e) {
      clear(list);
      list.append(el('li', null, e.status === 404 ? 'decision stream not available' : `could not read errors: ${e.message}`));
      return;
    }
    clear(list);
    for (const d of body.decisions || []) {
      const li = el('li');
      li.append(el('time', null, when(d.at)), el('span', 'name', `${d.domain || '–'} → ${d.route || '–'}`),
        el('span', 'fig', `${d.status ?? '–'} ${d.code || ''}`.trim()), el('span', 'fig', ms(d.latency_ms)));
      if (d.fallback) li.append(el('span', 'fig', 'fallback'));
      const id = el('span', 'msg', `correlation ${d.correlation_id || '–'}${d.error ? `: ${d.error}` : ''}`);
      id.dataset.testid = 'error-correlation';
      li.append(id);
      list.append(li);
    }
    if (!list.childElementCount) list.append(el('li', null, 'no errors in the last hour'));
  }

  // ---- controls: a reason, the simulate preview, an operate token, then the admin API ----
  const dialog = $('control-dialog');
  let pending = null;

  function openControl(command) {
    const r = view.rollout;
    pending = { command };
    setText('dialog-title', { promote: 'Promote', pause: 'Pause', resume: 'Resume', rollback: 'Roll back' }[command]);
    setText('dialog-what', {
      promote: r && r.step < r.steps ? `Move to step ${r.step + 1} of ${r.steps}.` : 'Move to the next step.',
      pause: 'Pause the rollout: it stays at this step and percent until resumed.',
      resume: 'Resume the rollout at this step.',
      rollback: 'Roll back: fewer users on unified, the rollout halted.',
    }[command]);
    for (const e of dialog.querySelectorAll('[data-rollback-only]')) e.hidden = command !== 'rollback';
    $('reason').value = '';
    $('operate-token').value = operateToken();
    $('dialog-problem').hidden = true;
    $('dialog-confirm').disabled = true;
    dialog.showModal();
    preview();
  }

  async function preview() {
    const command = pending && pending.command;
    const out = $('preview');
    out.textContent = 'reading the preview…';
    pending.previewed = false;
    let path = null;
    if (command === 'rollback') path = `/admin/simulate?change=rollback&percent=${encodeURIComponent(Number($('rollback-to').value) || 0)}`;
    else if (command === 'promote' && view.rollout && view.rollout.step < view.rollout.steps) path = `/admin/simulate?step=${view.rollout.step + 1}`;
    if (!path) {
      out.textContent = `${command === 'pause' ? 'Pausing' : command === 'resume' ? 'Resuming' : 'This'} moves no users by itself.`;
    } else {
      try {
        const s = await getJson(path);
        if (!pending || pending.command !== command) return;
        const t = s.totals;
        out.textContent = `Over the last ${s.window}: ${int(t.users_to_unified)} users (${int(t.requests_to_unified)} requests) move to unified, `
          + `${int(t.users_to_legacy)} users (${int(t.requests_to_legacy)} requests) move to legacy; ${int(t.pinned_users)} stay where an override holds them.`;
      } catch (e) {
        out.textContent = `No preview: ${e.message}`;
      }
    }
    pending.previewed = true;
    enableConfirm();
  }

  function enableConfirm() {
    $('dialog-confirm').disabled = !(pending && pending.previewed && $('reason').value.trim());
  }

  async function confirmControl() {
    const command = pending.command;
    const reason = $('reason').value.trim();
    const token = $('operate-token').value.trim();
    if (token) sessionStorage.setItem(OPERATE_KEY, token); else sessionStorage.removeItem(OPERATE_KEY);
    const path = command === 'rollback' ? '/admin/rollback' : `/admin/rollout/${command}`;
    const body = command === 'rollback' ? { to: Number($('rollback-to').value) || 0, reason } : { reason };
    $('dialog-confirm').disabled = true;
    try {
      const res = await fetch(path, { method: 'POST', headers: headers(token, true), body: JSON.stringify(body), cache: 'no-store' });
      if (!res.ok) {
        const p = $('dialog-problem');
        p.textContent = await problemOf(res);
        p.hidden = false;
        enableConfirm();
        return;
      }
      dialog.close();
      pending = null;
      refresh();
    } catch (e) {
      const p = $('dialog-problem');
      p.textContent = String(e.message || e);
      p.hidden = false;
      enableConfirm();
    }
  }

  // ---- live: server-sent events read through fetch, so the bearer header can be sent ----
  function live(state, text) {
    const e = $('live');
    e.dataset.state = state;
    e.textContent = text;
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  async function stream() {
    for (;;) {
      const abort = new AbortController();
      streamAbort = abort;
      try {
        const res = await fetch('/admin/events', { headers: { ...headers(readToken()), Accept: 'text/event-stream' }, signal: abort.signal, cache: 'no-store' });
        if (!res.ok) {
          live('error', `events: ${await problemOf(res)}`);
        } else {
          live('live', 'live');
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value.replace(/\r\n/g, '\n');
            let end;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              onEvent(buffer.slice(0, end));
              buffer = buffer.slice(end + 2);
            }
          }
          live('connecting', 'reconnecting');
        }
      } catch (e) {
        if (abort.signal.aborted) continue; // a new token: connect again at once
        live('error', 'events: disconnected');
      }
      await sleep(3000);
    }
  }

  function onEvent(block) {
    let name = 'message';
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) name = line.slice(6).trim();
    }
    if (name === 'change') refresh();
    else if (name === 'heartbeat') {
      live('live', 'live');
      if (Date.now() - lastRead >= FIGURES_EVERY_MS) refresh();
    }
  }

  // ---- wiring ----
  function start() {
    const input = $('read-token');
    input.value = readToken();
    $('token-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const t = input.value.trim();
      if (t) sessionStorage.setItem(READ_KEY, t); else sessionStorage.removeItem(READ_KEY);
      if (streamAbort) streamAbort.abort();
      refresh();
    });
    for (const b of document.querySelectorAll('[data-command]')) b.addEventListener('click', () => openControl(b.dataset.command));
    $('reason').addEventListener('input', enableConfirm);
    $('rollback-to').addEventListener('change', () => { if (pending) preview(); });
    $('dialog-cancel').addEventListener('click', () => { pending = null; dialog.close(); });
    $('dialog-confirm').addEventListener('click', confirmControl);
    let resized = null;
    window.addEventListener('resize', () => {
      clearTimeout(resized);
      resized = setTimeout(() => { if (view.series) renderCharts(view.series); }, 200);
    });
    refresh();
    stream();
  }

  start();
}());
