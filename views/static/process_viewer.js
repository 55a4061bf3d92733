/* Read-only diagram of a version, or of an instance with its path highlighted.
 * #canvas data-url: the .bpmn to show; data-done / data-current (JSON lists of element ids): elements
 * already passed and the ones the instance waits at. Flows between passed elements are marked too.
 */
(function () {
  'use strict';

  var container = document.getElementById('canvas');
  if (!container) { return; }
  var message = document.getElementById('viewer-message');
  var done = JSON.parse(container.dataset.done || '[]');
  var current = JSON.parse(container.dataset.current || '[]');
  var viewer = new BpmnJS({ container: container });
  window.processViewer = viewer;

  function mark() {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    var reached = {};
    done.forEach(function (id) { reached[id] = 'done'; });
    current.forEach(function (id) { reached[id] = 'current'; });
    Object.keys(reached).forEach(function (id) {
      if (registry.get(id)) { canvas.addMarker(id, 'path-' + reached[id]); }
    });
    registry.filter(function (el) { return el.type === 'bpmn:SequenceFlow'; }).forEach(function (flow) {
      var bo = flow.businessObject;
      if (bo.sourceRef && bo.targetRef && reached[bo.sourceRef.id] === 'done' && reached[bo.targetRef.id]) {
        canvas.addMarker(flow.id, 'path-done');
      }
    });
  }

  fetch(container.dataset.url, { credentials: 'same-origin' })
    .then(function (r) { return r.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      viewer.get('canvas').zoom('fit-viewport', 'auto');
      mark();
      container.dataset.ready = '1';
    })
    .catch(function (err) {
      if (message) { message.textContent = '无法显示流程图：' + (err.message || err); }
      container.dataset.ready = 'error';
    });
})();
