/* The process editor: bpmn-js Modeler + properties panel, talking JSON to views/process.py.
 *
 * Save a draft, validate, publish, download. Problems are listed with element id, name and line;
 * the elements are marked on the canvas and a click selects one. Scripts, gateway conditions and
 * timer values are edited in the "脚本与条件" box (the stock properties panel has no entry for them),
 * through bpmn-js commands, so undo/redo works. The CSRF token goes in the X-CSRFToken header.
 * On a Chinese page the palette, context pad and properties panel are in Chinese (bpmn_zh.js).
 */
(function () {
  'use strict';

  var root = document.getElementById('editor');
  if (!root) { return; }
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute('content');
  var state = {
    processKey: root.dataset.processKey || null,
    draftId: toInt(root.dataset.draftId),
    baseId: toInt(root.dataset.baseDefinitionId),
    dirty: false,
    busy: false
  };
  var statusEl = document.getElementById('status');
  var problemsEl = document.getElementById('problems');
  var emptyEl = document.getElementById('problems-empty');

  // bpmn-js speaks English; on a Chinese page its labels come from bpmn_zh.js (a `translate` override).
  var chinese = /^zh/i.test(document.documentElement.lang || '') && window.BpmnZh;
  var modeler = new BpmnJS({
    container: '#canvas',
    propertiesPanel: { parent: '#properties' },
    additionalModules: [
      BpmnJSPropertiesPanel.BpmnPropertiesPanelModule,
      BpmnJSPropertiesPanel.BpmnPropertiesProviderModule
    ].concat(chinese ? [window.BpmnZh.module] : [])
  });
  window.processModeler = modeler;  // for the browser tests and the curious

  function toInt(value) {
    var n = parseInt(value, 10);
    return isNaN(n) ? null : n;
  }

  function say(text, kind) {
    statusEl.textContent = text || '';
    statusEl.className = kind || 'muted';
  }

  // ------------------------------------------------------------------ loading

  function load() {
    say('正在打开…');
    fetch(root.dataset.sourceUrl, { credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) { throw new Error('下载失败（' + r.status + '）'); }
        return r.text();
      })
      .then(function (xml) { return modeler.importXML(xml); })
      .then(function (result) {
        modeler.get('canvas').zoom('fit-viewport', 'auto');
        var n = (result.warnings || []).length;
        say(n ? '已打开；编辑器提示 ' + n + ' 处无法显示的内容，发布前请校验' : '已打开', n ? 'warning' : 'muted');
        markProblems();
        root.dataset.ready = '1';
      })
      .catch(function (err) {
        say('无法在编辑器中打开这个文件：' + (err.message || err) +
            '。请看下方的校验结果，或下载文件修改后重新上传。', 'error');
        root.dataset.ready = 'error';
      });
  }

  modeler.on('commandStack.changed', function () {
    state.dirty = true;
  });
  window.addEventListener('beforeunload', function (event) {
    if (state.dirty) { event.preventDefault(); event.returnValue = ''; }
  });

  // ------------------------------------------------------------------ talking to the server

  function currentXml() {
    return modeler.saveXML({ format: true }).then(function (result) { return result.xml; });
  }

  function post(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf, 'Accept': 'application/json' },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () {
        return { ok: false, message: '服务器出错（' + r.status + '），请刷新页面后重试' };
      });
    });
  }

  function run(label, work) {
    if (state.busy) { return; }
    state.busy = true;
    say(label + '…');
    work().catch(function (err) {
      say(label + '失败：' + (err.message || err), 'error');
    }).then(function () { state.busy = false; });
  }

  function saveDraft() {
    run('保存草稿', function () {
      return currentXml().then(function (xml) {
        return post(root.dataset.draftUrl, { xml: xml, draft_id: state.draftId, base_definition_id: state.baseId });
      }).then(function (data) {
        if (data.draft_id) {
          state.draftId = data.draft_id;
          state.dirty = false;
          var url = root.dataset.editorUrl + '?draft=' + data.draft_id;
          window.history.replaceState(null, '', url);
          // the heading names what a reload opens: this draft (it said 基于版本 N until a reload)
          document.getElementById('editor-basis').textContent = '草稿 #' + data.draft_id;
        }
        showProblems(data.problems || []);
        say(data.message || (data.ok ? '草稿已保存' : '保存失败'), data.saved ? (data.ok ? 'success' : 'warning') : 'error');
      });
    });
  }

  function validate() {
    run('校验', function () {
      return currentXml().then(function (xml) {
        return post(root.dataset.validateUrl, { xml: xml, process_key: state.processKey });
      }).then(function (data) {
        showProblems(data.problems || []);
        var errors = (data.problems || []).filter(function (p) { return p.severity === 'error'; }).length;
        say(data.ok ? '校验通过，可以发布' : '有 ' + errors + ' 个问题需要修改后才能发布', data.ok ? 'success' : 'error');
      });
    });
  }

  function publish() {
    if (!window.confirm('发布为新版本？新发起的流程将使用它，运行中的实例保持原来的版本。')) { return; }
    run('发布', function () {
      return currentXml().then(function (xml) {
        return post(root.dataset.publishUrl, { xml: xml, draft_id: state.draftId, process_key: state.processKey });
      }).then(function (data) {
        if (data.ok) {
          state.dirty = false;
          state.draftId = null;
          state.processKey = data.process_key;
          state.baseId = data.definition_id;
          // the draft is gone once published: the address and the heading now name the published version,
          // so a reload opens it instead of a draft that no longer exists
          window.history.replaceState(null, '', data.editor_url);
          document.getElementById('editor-basis').textContent = '基于版本 ' + data.version;
          showProblems([]);
          statusEl.className = 'success';
          statusEl.textContent = data.message + ' ';
          var link = document.createElement('a');
          link.href = data.url;
          link.id = 'published-link';
          link.textContent = '查看版本列表';
          statusEl.appendChild(link);
        } else {
          showProblems(data.problems || []);
          say(data.message || '未发布', 'error');
        }
      });
    });
  }

  function download() {
    currentXml().then(function (xml) {
      var blob = new Blob([xml], { type: 'application/xml' });
      var a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = (state.processKey || 'process') + '.bpmn';
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
    });
  }

  document.getElementById('btn-save').addEventListener('click', saveDraft);
  document.getElementById('btn-validate').addEventListener('click', validate);
  document.getElementById('btn-publish').addEventListener('click', publish);
  document.getElementById('btn-download').addEventListener('click', download);

  // ------------------------------------------------------------------ problems

  var SEVERITY = { error: '错误：', warning: '警告：', info: '提示：' };
  var marked = [];

  function diagramElement(id) {
    if (!id) { return null; }
    var registry = modeler.get('elementRegistry');
    var found = registry.get(id);
    if (found) { return found; }
    // A process is drawn as its pool (participant) when there is one.
    return registry.filter(function (el) {
      var bo = el.businessObject;
      return bo && bo.processRef && bo.processRef.id === id;
    })[0] || null;
  }

  function markProblems() {
    var canvas = modeler.get('canvas');
    marked.forEach(function (m) { canvas.removeMarker(m[0], m[1]); });
    marked = [];
    Array.prototype.forEach.call(problemsEl.querySelectorAll('li[data-element-id]'), function (li) {
      var el = diagramElement(li.dataset.elementId);
      var severity = li.classList.contains('error') ? 'error' : (li.classList.contains('warning') ? 'warning' : 'info');
      if (el && severity !== 'info') {
        canvas.addMarker(el.id, 'problem-' + severity);
        marked.push([el.id, 'problem-' + severity]);
      }
    });
  }

  function showProblems(problems) {
    problemsEl.innerHTML = '';
    emptyEl.hidden = problems.length > 0;
    if (!problems.length) { emptyEl.textContent = '没有发现问题。'; }
    problems.forEach(function (p) {
      var li = document.createElement('li');
      li.className = 'problem ' + p.severity;
      li.dataset.elementId = p.element_id || '';
      var b = document.createElement('b');
      b.textContent = SEVERITY[p.severity] || '';
      li.appendChild(b);
      if (p.element_id) {
        var code = document.createElement('code');
        code.textContent = p.element_id;
        li.appendChild(code);
      }
      var rest = (p.element_name ? '“' + p.element_name + '”' : '') + (p.line ? ' 第 ' + p.line + ' 行' : '');
      li.appendChild(document.createTextNode(' ' + rest + ' ' + p.message));
      problemsEl.appendChild(li);
    });
    markProblems();
  }

  problemsEl.addEventListener('click', function (event) {
    var li = event.target.closest('li[data-element-id]');
    var el = li && diagramElement(li.dataset.elementId);
    if (!el) { return; }
    modeler.get('selection').select(el);
    var canvas = modeler.get('canvas');
    if (canvas.scrollToElement) { canvas.scrollToElement(el); }
  });

  // ------------------------------------------------------------------ scripts, conditions, timer values

  var box = document.getElementById('expressions');
  var title = document.getElementById('expr-title');
  var hint = document.getElementById('expr-hint');
  var text = document.getElementById('expr-text');
  var editing = null;   // {element, read(), write(value)}

  function timerValue(bo) {
    var defs = (bo.eventDefinitions || []).filter(function (d) { return d.$type === 'bpmn:TimerEventDefinition'; });
    if (!defs.length) { return null; }
    var def = defs[0];
    var kinds = [['timeDuration', '时长'], ['timeDate', '日期'], ['timeCycle', '周期']];
    for (var i = 0; i < kinds.length; i++) {
      if (def[kinds[i][0]]) { return { def: def, prop: kinds[i][0], label: kinds[i][1] }; }
    }
    return { def: def, prop: 'timeDuration', label: '时长' };
  }

  function editorFor(element) {
    var bo = element.businessObject;
    var modeling = modeler.get('modeling');
    var moddle = modeler.get('moddle');
    if (bo.$type === 'bpmn:ScriptTask') {
      return {
        title: '脚本', hint: '可调用系统提供的函数，例如 make_effective()。',
        read: function () { return bo.script || ''; },
        write: function (value) { modeling.updateProperties(element, { scriptFormat: bo.scriptFormat || 'python', script: value }); }
      };
    }
    if (bo.$type === 'bpmn:SequenceFlow') {
      var source = bo.sourceRef && bo.sourceRef.$type;
      if (source !== 'bpmn:ExclusiveGateway' && source !== 'bpmn:InclusiveGateway' && !bo.conditionExpression) { return null; }
      return {
        title: '条件', hint: '例如 decision == "approve"。默认流不需要条件。',
        read: function () { return bo.conditionExpression ? (bo.conditionExpression.body || '') : ''; },
        write: function (value) {
          modeling.updateProperties(element, {
            conditionExpression: value ? moddle.create('bpmn:FormalExpression', { body: value }) : undefined
          });
        }
      };
    }
    var timer = timerValue(bo);
    if (timer) {
      return {
        title: '计时器（' + timer.label + '）', hint: '类型在右侧属性面板的“' + (chinese ? '计时器' : 'Timer') + '”中选择；值写成带引号的字符串，例如 "P1D"。',
        read: function () { var t = timerValue(bo); return t.def[t.prop] ? (t.def[t.prop].body || '') : ''; },
        write: function (value) {
          var t = timerValue(bo);
          var props = {};
          props[t.prop] = moddle.create('bpmn:FormalExpression', { body: value });
          modeling.updateModdleProperties(element, t.def, props);
        }
      };
    }
    return null;
  }

  function showBox() {
    var selected = modeler.get('selection').get();
    editing = selected.length === 1 ? editorFor(selected[0]) : null;
    box.hidden = !editing;
    if (!editing) { return; }
    title.textContent = editing.title;
    hint.textContent = editing.hint;
    text.value = editing.read();
  }

  modeler.on('selection.changed', showBox);
  modeler.on('elements.changed', function () {
    if (editing && document.activeElement !== text) { text.value = editing.read(); }
  });
  text.addEventListener('change', function () {
    if (editing && text.value !== editing.read()) { editing.write(text.value); }
  });

  load();
})();
