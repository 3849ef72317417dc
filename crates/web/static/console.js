// Harrier console: keyboard shortcuts for triage. The pages work without
// this file; it never touches reported text (no innerHTML anywhere).
//
//   j / k     next / previous row of a list
//   Enter     open the selected row
//   c         claim the case (on a case page)
//   t         focus the move form (on a case page)
//   e         focus the evidence file input (on a case page)
//   /         focus the first filter field
//   ?         show or hide the list of shortcuts
(function () {
  'use strict';
  var rows = Array.prototype.slice.call(document.querySelectorAll('[data-row]'));
  var at = -1;
  function select(i) {
    if (!rows.length) return;
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, n) { r.classList.toggle('selected', n === at); });
    rows[at].scrollIntoView({ block: 'nearest' });
    var link = rows[at].querySelector('a');
    if (link) link.focus({ preventScroll: true });
  }
  function typing(el) {
    return el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
  }
  document.addEventListener('keydown', function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(document.activeElement)) return;
    var el;
    switch (ev.key) {
      case 'j': select(at + 1); break;
      case 'k': select(at - 1); break;
      case 'Enter':
        if (at >= 0) { el = rows[at].querySelector('a'); if (el) el.click(); } else return;
        break;
      case 'c': el = document.getElementById('claim-form'); if (el) el.submit(); else return; break;
      case 't': el = document.getElementById('move-to'); if (el) el.focus(); else return; break;
      case 'e': el = document.getElementById('evidence-file'); if (el) el.focus(); else return; break;
      case '/': el = document.querySelector('[data-filter]'); if (el) el.focus(); else return; break;
      case '?': el = document.getElementById('shortcuts'); if (el) el.hidden = !el.hidden; else return; break;
      default: return;
    }
    ev.preventDefault();
  });
})();
