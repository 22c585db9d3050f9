import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore

/// The page's script and stylesheet, served from our own origin (the CSP allows nothing else; no CDN, works
/// offline).
enum StaticAsset {
    case script, stylesheet

    var response: Response {
        let (type, text) =
            switch self {
            case .script: ("text/javascript; charset=utf-8", Self.scriptSource)
            case .stylesheet: ("text/css; charset=utf-8", Self.stylesheetSource)
            }
        return Response(
            status: .ok,
            headers: [.contentType: type, .cacheControl: "no-cache"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// Live list updates, copy buttons and delete confirmation. Captured data only ever goes through
    /// `textContent`, never `innerHTML`.
    static let scriptSource = #"""
        'use strict';
        (function () {
          function formatSize(n) {
            if (n < 1024) return n + ' B';
            if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB';
            return (n / 1048576).toFixed(1) + ' MiB';
          }
          function cell(row, text, className) {
            var td = document.createElement('td');
            if (className) td.className = className;
            if (text !== null) td.textContent = text;
            row.appendChild(td);
            return td;
          }
          function link(href, text) {
            var a = document.createElement('a');
            a.setAttribute('href', href);
            a.textContent = text;
            return a;
          }
          function matches(tbody, capture) {
            var method = tbody.getAttribute('data-method');
            var path = tbody.getAttribute('data-path');
            var signature = tbody.getAttribute('data-signature');
            if (method && capture.method !== method) return false;
            if (path && capture.path.indexOf(path) !== 0) return false;
            if (signature && capture.signature !== signature) return false;
            return true;
          }
          function deliveryText(capture) {
            if (!capture.deliveries) return '—';
            var last = capture.last_delivery_status === null ? 'no response' : String(capture.last_delivery_status);
            return last + ' (' + capture.deliveries + ')';
          }
          function addRow(tbody, capture) {
            var id = String(Number(capture.id));
            if (tbody.querySelector('tr[data-id="' + id + '"]')) return;
            var row = document.createElement('tr');
            row.setAttribute('data-id', id);
            row.className = 'new';
            cell(row, null).appendChild(link('/captures/' + id, id));
            var time = document.createElement('time');
            time.setAttribute('datetime', capture.received_at);
            time.textContent = capture.received_at.replace('T', ' ').slice(0, 23);
            cell(row, null).appendChild(time);
            cell(row, capture.method, 'method');
            cell(row, null, 'target').appendChild(link('/captures/' + id, capture.target));
            cell(row, formatSize(capture.body_size), 'size');
            var badge = document.createElement('span');
            badge.className = 'badge sig-' + String(capture.signature).replace(/[^a-z]/g, '');
            badge.textContent = capture.signature;
            cell(row, null).appendChild(badge);
            cell(row, deliveryText(capture));
            tbody.insertBefore(row, tbody.firstChild);
          }
          function live() {
            var tbody = document.getElementById('captures');
            if (!tbody || tbody.getAttribute('data-live') !== 'true' || !window.EventSource) return;
            var status = document.getElementById('live-status');
            // Start after the newest capture the server knew when it rendered the page, so one arriving
            // meanwhile is not missed; on reconnect the browser sends Last-Event-ID, which takes precedence.
            var after = String(Number(tbody.getAttribute('data-after')) || 0);
            var source = new EventSource('/api/events?last_event_id=' + after);
            source.addEventListener('open', function () {
              document.body.setAttribute('data-live', 'connected');
              if (status) status.textContent = 'live: new captures appear at the top';
            });
            source.addEventListener('error', function () {
              document.body.setAttribute('data-live', 'reconnecting');
              if (status) status.textContent = 'reconnecting…';
            });
            source.addEventListener('capture', function (event) {
              var capture;
              try { capture = JSON.parse(event.data); } catch (e) { return; }
              if (tbody.getAttribute('data-search')) {
                if (status) status.textContent = 'new captures arrived: filter again to search them';
                return;
              }
              if (!matches(tbody, capture)) return;
              addRow(tbody, capture);
              var empty = document.getElementById('empty');
              if (empty) empty.parentNode.removeChild(empty);
            });
          }
          function copyButtons() {
            var buttons = document.querySelectorAll('button[data-copy]');
            Array.prototype.forEach.call(buttons, function (button) {
              button.addEventListener('click', function () {
                var source = document.getElementById(button.getAttribute('data-copy'));
                if (!source || !navigator.clipboard) return;
                navigator.clipboard.writeText(source.textContent).then(function () {
                  button.textContent = 'Copied';
                  setTimeout(function () { button.textContent = 'Copy'; }, 1500);
                });
              });
            });
          }
          function confirmations() {
            var forms = document.querySelectorAll('form[data-confirm]');
            Array.prototype.forEach.call(forms, function (form) {
              form.addEventListener('submit', function (event) {
                if (!window.confirm(form.getAttribute('data-confirm'))) event.preventDefault();
              });
            });
          }
          live();
          copyButtons();
          confirmations();
        })();
        """#

    static let stylesheetSource = #"""
        :root { --fg: #1d1f23; --muted: #6b7078; --line: #e2e4e8; --bg: #fff; --code: #f6f7f9; --accent: #2457c5; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
        header.top { padding: 10px 20px; border-bottom: 1px solid var(--line); display: flex; gap: 10px; align-items: baseline; }
        header.top .brand { font-weight: 700; color: var(--fg); text-decoration: none; font-size: 16px; }
        header.top .store { margin-left: auto; font-family: ui-monospace, monospace; font-size: 12px; }
        main { padding: 16px 20px 40px; max-width: 1200px; }
        a { color: var(--accent); }
        .muted { color: var(--muted); }
        h1 { font-size: 18px; margin: 8px 0; word-break: break-all; }
        h2 { font-size: 15px; margin: 24px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
        h3 { font-size: 13px; margin: 12px 0 4px; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
        table.captures td.target, td.target { font-family: ui-monospace, monospace; word-break: break-all; }
        table.headers th { width: 22%; font-family: ui-monospace, monospace; font-weight: 600; word-break: break-all; }
        table.headers td { font-family: ui-monospace, monospace; word-break: break-all; }
        td.size { white-space: nowrap; text-align: right; }
        .method { font-family: ui-monospace, monospace; font-weight: 700; }
        tr.new { animation: arrive 2s ease-out; }
        @keyframes arrive { from { background: #fff4c2; } to { background: transparent; } }
        .badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 12px; background: #eceef1; }
        .sig-valid { background: #d7f5dd; color: #13561f; }
        .sig-invalid { background: #fbd9d9; color: #7a1515; }
        .sig-missing { background: #fdebc8; color: #6b4500; }
        pre.code { background: var(--code); padding: 10px; overflow: auto; max-height: 600px; white-space: pre-wrap; word-break: break-all; font: 12px/1.4 ui-monospace, monospace; }
        pre.body-binary { white-space: pre; }
        form.filters { display: flex; flex-wrap: wrap; gap: 10px; align-items: end; margin-bottom: 8px; }
        form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
        form.inline { display: inline; }
        .actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
        .button, button { display: inline-block; padding: 4px 10px; border: 1px solid var(--line); border-radius: 4px; background: #f4f5f7; color: var(--fg); text-decoration: none; font: inherit; cursor: pointer; }
        button.danger { color: #7a1515; }
        .replay-form { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; }
        .replay-form input[type=url] { width: 420px; max-width: 100%; }
        .notice { background: #fff8e1; padding: 6px 10px; }
        .line-added, td.new { background: rgba(46, 160, 67, 0.15); }
        .line-removed, td.old { background: rgba(248, 81, 73, 0.15); }
        .compare-form input { width: 6em; }
        .problem { background: #fdecec; padding: 6px 10px; }
        .empty { color: var(--muted); padding: 20px 0; }
        .pager { margin-top: 12px; }
        """#
}
