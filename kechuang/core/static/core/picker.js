/* Searchable pickers (kechuang/core/pickers.py): the visible input shows the label, a hidden
   input carries the picked row's code under the field's name. Typing without picking submits
   the typed text, which the server resolves or names as unknown. */
(function () {
  "use strict";

  function setup(box) {
    var input = box.querySelector("input[role=combobox]");
    var list = box.querySelector("[role=listbox]");
    var url = box.getAttribute("data-kc-picker");
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = input.name;
    // text typed before this script ran (a fast user, or a test) wins over the server's value
    var typed = input.value !== input.defaultValue;
    hidden.value = typed ? input.value.trim() : input.getAttribute("data-kc-value") || input.value;
    input.removeAttribute("name");
    box.appendChild(hidden);
    var items = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(index) {
      var item = items[index];
      if (!item) { return; }
      hidden.value = item.value;
      input.value = item.label;
      close();
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function highlight(index) {
      var nodes = list.querySelectorAll("li");
      nodes.forEach(function (node, i) {
        node.classList.toggle("active", i === index);
        node.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (nodes[index]) {
        input.setAttribute("aria-activedescendant", nodes[index].id);
        nodes[index].scrollIntoView({ block: "nearest" });
      }
    }

    function show(found) {
      items = found;
      list.textContent = "";
      if (!found.length) {
        var none = document.createElement("li");
        none.className = "list-group-item text-muted";
        none.textContent = "没有匹配项，请换个说法";
        list.appendChild(none);
      }
      found.forEach(function (item, i) {
        var li = document.createElement("li");
        li.className = "list-group-item list-group-item-action";
        li.id = input.id + "_opt" + i;
        li.setAttribute("role", "option");
        li.setAttribute("data-value", item.value);
        li.textContent = item.label;
        if (item.hint) {
          var hint = document.createElement("span");
          hint.className = "text-muted kc-picker-hint";
          hint.textContent = item.hint;
          li.appendChild(hint);
        }
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(i);
        });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function search() {
      var ticket = ++asked;
      var query = url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(input.value.trim());
      fetch(query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (found) { if (ticket === asked && document.activeElement === input) { show(found); } })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      hidden.value = input.value.trim();
      asked++; // an answer to an earlier text is stale now
      close();
      clearTimeout(timer);
      timer = setTimeout(search, 150);
    });
    input.addEventListener("focus", search);
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        // no suggestions: also cancel a search still waiting or on its way (it would reopen
        // the list over the form after the user dismissed it)
        clearTimeout(timer);
        asked++;
        close();
        return;
      }
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && items.length && (active >= 0 || items.length === 1)) {
        event.preventDefault();
        choose(active >= 0 ? active : 0);
      }
    });
  }

  function start() {
    document.querySelectorAll("[data-kc-picker]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
