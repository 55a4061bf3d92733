// Page behaviour kept out of the HTML, so the Content-Security-Policy can forbid inline scripts:
//   <form data-confirm="…"> / <button data-confirm="…">  ask before submitting
//   <input type="checkbox" data-check-all="NAME">        ticks every enabled checkbox named NAME
//   <select data-autosubmit>                              submits its form when changed
//   <a data-back href="/">                                goes back one page (the href is the fallback)
//   <textarea data-choose="ID">                           clicking or typing in it ticks the radio button #ID
//                                                         (tabbing through does not: a keyboard user keeps the choice)
//   <textarea maxlength="N">                              shows how many characters are left ("12 / 500")
//   #lang-switch[data-unsaved]                            asks before switching language once something was typed
//                                                         into a form that posts (the reload would lose it)
(function () {
  'use strict';
  document.addEventListener('submit', function (e) {
    var message = e.target.getAttribute && e.target.getAttribute('data-confirm');
    if (message && !window.confirm(message)) { e.preventDefault(); }
  }, true);
  var typed = false;
  document.addEventListener('input', function (e) {
    var form = e.target.form;
    if (form && (form.getAttribute('method') || '').toLowerCase() === 'post') { typed = true; }
  }, true);
  document.addEventListener('click', function (e) {
    var lang = e.target.closest && e.target.closest('#lang-switch a');
    if (lang && typed && !window.confirm(lang.parentNode.getAttribute('data-unsaved'))) { e.preventDefault(); return; }
    var asker = e.target.closest && e.target.closest('button[data-confirm], a[data-confirm]');
    if (asker && !window.confirm(asker.getAttribute('data-confirm'))) { e.preventDefault(); e.stopImmediatePropagation(); return; }
    var back = e.target.closest && e.target.closest('a[data-back]');
    if (back && window.history.length > 1) { e.preventDefault(); window.history.back(); }
  }, true);
  function choose(e) {
    var id = e.target.getAttribute && e.target.getAttribute('data-choose');
    var radio = id && document.getElementById(id);
    if (radio && !radio.checked) { radio.checked = true; radio.dispatchEvent(new Event('change', { bubbles: true })); }
  }
  function count(box) {
    var shown = box.nextElementSibling;
    if (!shown || !shown.classList.contains('counter')) {
      shown = document.createElement('small');
      shown.className = 'counter muted';
      shown.setAttribute('aria-live', 'polite');
      box.insertAdjacentElement('afterend', shown);
    }
    shown.textContent = box.value.length + ' / ' + box.getAttribute('maxlength');
  }
  document.querySelectorAll('textarea[maxlength]').forEach(count);
  document.addEventListener('input', function (e) {
    if (e.target.matches && e.target.matches('textarea[maxlength]')) { count(e.target); }
  });
  document.addEventListener('pointerdown', choose, true);
  document.addEventListener('input', choose, true);
  document.addEventListener('change', function (e) {
    var t = e.target;
    var name = t.getAttribute && t.getAttribute('data-check-all');
    if (name) {
      document.querySelectorAll('input[type=checkbox][name="' + name + '"]:not(:disabled)').forEach(function (c) { c.checked = t.checked; });
    }
    if (t.hasAttribute && t.hasAttribute('data-autosubmit') && t.form) { t.form.submit(); }
  });
})();
