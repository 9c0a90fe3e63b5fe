// The staff menu (base.html) works without script: each group, and the
// account's, is a <details>. This only adds what a script can: an open group closes on
// Escape (the focus goes back to its button), when the focus or a click
// goes elsewhere, and when another group opens (for browsers that do not
// know <details name>).
(function () {
  var header = document.querySelector('header.top');
  if (!header) { return; }
  var groups = Array.prototype.slice.call(document.querySelectorAll('header.top li.group > details, header.top .who > details'));
  function close(except) {
    groups.forEach(function (d) { if (d !== except && d.open) { d.open = false; } });
  }
  groups.forEach(function (d) {
    d.addEventListener('toggle', function () { if (d.open) { close(d); } });
    // Only a group that floats over the page (a desktop) closes when the
    // focus leaves it; on a phone the groups stack in the menu, and closing
    // one as the next is tapped would move that one from under the finger.
    d.addEventListener('focusout', function (e) {
      var panel = d.querySelector('summary + *');
      var floats = panel && getComputedStyle(panel).position === 'absolute';
      if (floats && d.open && e.relatedTarget && !d.contains(e.relatedTarget)) { d.open = false; }
    });
  });
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') { return; }
    var open = groups.filter(function (d) { return d.open; })[0];
    if (!open) { return; }
    var inside = open.contains(document.activeElement);
    open.open = false;
    if (inside) { open.querySelector('summary').focus(); }
  });
  document.addEventListener('click', function (e) {
    if (!header.contains(e.target)) { close(null); }
  });
})();
