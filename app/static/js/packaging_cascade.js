/* CASC-001: the OT form's product selects in cascade. Each select is enabled once the
   previous one has a value; choosing a level clears and disables the later ones and asks
   POST /postVerificacionFiltro (CASC-002, session + CSRF token of the page) for the options
   of the next level. No framework. */
(function () {
  "use strict";
  var box = document.getElementById("ot-cascade");
  if (!box) { return; }
  var form = box.closest("form");
  var url = box.getAttribute("data-cascade-url");
  var tokenInput = form.querySelector("input[name=csrf_token]");
  var token = tokenInput ? tokenInput.value : "";
  var message = document.getElementById("ot-cascade-message");
  var selects = Array.prototype.slice.call(box.querySelectorAll("select[data-cascade-level]"));
  var pending = 0;

  function reset(select) {
    while (select.options.length) { select.remove(0); }
    select.add(new Option("\u2014", ""));
    select.disabled = true;
  }

  function fill(select, options) {
    reset(select);
    options.forEach(function (o) { select.add(new Option(o.label, String(o.id))); });
    select.disabled = false;
  }

  function changed(index) {
    var ask = ++pending;
    message.textContent = "";
    for (var j = index + 1; j < selects.length; j++) { reset(selects[j]); }
    var next = selects[index + 1];
    if (!next || !selects[index].value) { return; }
    var body = {};
    for (var k = 0; k <= index; k++) { body[selects[k].getAttribute("data-param")] = parseInt(selects[k].value, 10); }
    fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, data: data}; });
    }).then(function (answer) {
      if (ask !== pending) { return; }  // a later choice has been made meanwhile
      var data = answer.data || {};
      if (!answer.ok || !data.valid) {
        message.textContent = data.message || box.getAttribute("data-error");
        return;
      }
      if (data.next && data.next.field === next.getAttribute("data-param")) { fill(next, data.next.options); }
    }).catch(function () {
      if (ask === pending) { message.textContent = box.getAttribute("data-error"); }
    });
  }

  selects.forEach(function (select, index) {
    select.addEventListener("change", function () { changed(index); });
  });
})();
