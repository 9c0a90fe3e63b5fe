// The session form's theme picker (templates/theme_picker.html): shows a
// filter box that, as one types, hides the themes whose title does not
// match (accents and case aside), opens the groups holding a match and says
// how many match. Without JavaScript the groups open and close by hand.
(function () {
  'use strict';
  function fold(s) {
    return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
      .replace(/\u0153/g, 'oe').replace(/\u00e6/g, 'ae').replace(/\u2019/g, "'");
  }
  // "{n|none|one|many}" or "{n|one|many}" with the language's rule, as the server's plural::fill.
  function counted(template, n, lang) {
    return template.replace(/\{n\|([^}]*)\}/g, function (_, forms) {
      var f = forms.split('|');
      var one = lang === 'fr' ? n < 2 : n === 1;
      var form = f.length === 3 && n === 0 ? f[0] : (one ? f[f.length - 2] : f[f.length - 1]);
      return form.replace(/#/g, String(n));
    });
  }
  document.querySelectorAll('[data-pick]').forEach(function (box) {
    var filter = box.querySelector('.pick-filter');
    var input = filter && filter.querySelector('input');
    var status = box.querySelector('.pick-status');
    if (!input || !status) return;
    filter.hidden = false;
    var items = Array.prototype.slice.call(box.querySelectorAll('.pick-item'));
    var texts = items.map(function (i) { return fold(i.textContent); });
    var groups = Array.prototype.slice.call(box.querySelectorAll('details.pick-group'));
    var before = null; // which groups were open before filtering
    input.addEventListener('input', function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      if (words.length && before === null) before = groups.map(function (g) { return g.open; });
      var shown = 0;
      items.forEach(function (item, k) {
        var hit = words.every(function (w) { return texts[k].indexOf(w) !== -1; });
        item.hidden = !hit;
        if (hit) shown += 1;
      });
      groups.forEach(function (g, k) {
        var any = g.querySelector('.pick-item:not([hidden])') !== null;
        g.hidden = !any;
        if (words.length) g.open = any;
        else if (before) g.open = before[k];
      });
      if (!words.length) before = null;
      status.textContent = words.length ? counted(status.dataset.matching, shown, status.dataset.lang) : '';
    });
    // Enter in the filter box filters; it does not send the form.
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') e.preventDefault();
    });
  });
})();
