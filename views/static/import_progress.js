// The import page's progress bar: polls the job's status URL until the job ends, then reloads.
//   <section id="import-job" data-status-url="…" data-running="1"> … <progress id="job-progress"> <span id="job-phase">
(function () {
  'use strict';
  var box = document.getElementById('import-job');
  if (!box || !box.getAttribute('data-running')) { return; }
  var bar = document.getElementById('job-progress');
  var phase = document.getElementById('job-phase');
  function poll() {
    fetch(box.getAttribute('data-status-url'), {credentials: 'same-origin'})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (bar) { bar.value = s.percent; }
        if (phase) { phase.textContent = s.phase || '…'; }
        if (s.status === 'queued' || s.status === 'running') { setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 800);
})();
