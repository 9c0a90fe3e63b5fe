// The day page (templates/day.html), a progressive enhancement: each tick
// and tap is sent at once with fetch, and the figures are updated in place;
// without script the forms post. A file of its own, so the
// Content-Security-Policy can forbid inline scripts.
(function () {
  var status = document.getElementById('day-status');
  document.querySelectorAll('form[data-live]').forEach(function (form) {
    form.querySelectorAll('[data-nojs]').forEach(function (b) { b.hidden = true; });
    var box = form.querySelector('input[name=present]');
    function send(button) {
      var body = new URLSearchParams(new FormData(form));
      if (button && button.name) { body.append(button.name, button.value); }
      fetch(form.action, { method: 'POST', body: body, headers: { 'Accept': 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { if (r.status !== 200 && r.status !== 409) { throw r.status; } return r.json(); })
        .then(function (f) {
          document.querySelectorAll('[data-fig]').forEach(function (el) {
            var v = f[el.getAttribute('data-fig')];
            if (v !== undefined) { el.textContent = v; }
          });
          status.textContent = f.message;
          status.className = f.refused ? 'warnings' : '';
        })
        .catch(function () {
          if (box) { box.checked = !box.checked; }
          status.textContent = status.getAttribute('data-offline');
          status.className = 'warnings';
        });
    }
    form.addEventListener('submit', function (e) { e.preventDefault(); send(e.submitter); });
    if (box) { box.addEventListener('change', function () { send(null); }); }
  });
})();
