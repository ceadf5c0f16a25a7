/* The autocomplete picker (shoudi/core/picker.py): htmx fetches the options, this file lets the keyboard and the
   finger choose one. Loaded once per picker on the page, it installs its listeners once, on the document, so that
   pickers swapped in later work too. */
(function () {
  if (window.shoudiPicker) return;
  window.shoudiPicker = true;

  function parts(root) {
    return {
      value: root.querySelector("[data-picker-value]"),
      input: root.querySelector("[data-picker-input]"),
      list: root.querySelector("[data-picker-list]"),
      detail: root.querySelector("[data-picker-detail]"),
    };
  }
  function options(root) { return Array.from(parts(root).list.querySelectorAll("[role=option]")); }
  function open(root, yes) {
    var p = parts(root);
    p.list.classList.toggle("d-none", !yes);
    p.input.setAttribute("aria-expanded", yes ? "true" : "false");
    if (!yes) p.input.removeAttribute("aria-activedescendant");
  }
  function activate(root, index) {
    var all = options(root);
    if (!all.length) return;
    index = (index + all.length) % all.length;
    all.forEach(function (o, i) {
      o.classList.toggle("active", i === index);
      o.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    parts(root).input.setAttribute("aria-activedescendant", all[index].id);
    all[index].scrollIntoView({ block: "nearest" });
  }
  function activeIndex(root) {
    return options(root).findIndex(function (o) { return o.classList.contains("active"); });
  }
  function choose(root, option) {
    var p = parts(root);
    p.value.value = option.dataset.value;
    p.input.value = option.dataset.label;
    p.input.dataset.chosen = option.dataset.label;
    p.detail.textContent = option.dataset.detail || "";
    open(root, false);
    p.value.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var root = event.target.closest("[data-picker]");
    if (!root || event.target !== parts(root).list) return;
    open(root, document.activeElement === parts(root).input);
    if (options(root).length) activate(root, 0);
  });
  document.addEventListener("htmx:configRequest", function (event) {
    var root = event.target.closest && event.target.closest("[data-picker]");
    if (!root || event.target !== parts(root).input) return;
    if (parts(root).input.value === parts(root).input.dataset.chosen) event.detail.parameters.q = "";
  });
  document.addEventListener("input", function (event) {
    var root = event.target.closest && event.target.closest("[data-picker]");
    if (!root || event.target !== parts(root).input) return;
    var p = parts(root);
    if (p.input.value !== p.input.dataset.chosen) {  // typing again un-chooses: what is sent is what is shown
      p.value.value = "";
      p.detail.textContent = "";
    }
  });
  document.addEventListener("keydown", function (event) {
    var root = event.target.closest && event.target.closest("[data-picker]");
    if (!root || event.target !== parts(root).input) return;
    var shown = !parts(root).list.classList.contains("d-none");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!shown) { open(root, true); }
      activate(root, activeIndex(root) + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && shown) {
      var i = activeIndex(root);
      event.preventDefault();  // never submit the form from the search box
      if (i >= 0) choose(root, options(root)[i]);
    } else if (event.key === "Escape" && shown) {
      event.preventDefault();
      open(root, false);
    }
  });
  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest("[data-picker] [role=option]");
    if (option) event.preventDefault();  // keep the focus in the box until the click chooses
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest("[data-picker] [role=option]");
    if (option) { choose(option.closest("[data-picker]"), option); return; }
    document.querySelectorAll("[data-picker]").forEach(function (root) {
      if (!root.contains(event.target)) open(root, false);
    });
  });
  document.addEventListener("focusin", function (event) {
    var root = event.target.closest && event.target.closest("[data-picker]");
    if (root && event.target === parts(root).input && options(root).length) open(root, true);
  });
  document.addEventListener("focusout", function (event) {
    var root = event.target.closest && event.target.closest("[data-picker]");
    if (root && !root.contains(event.relatedTarget)) open(root, false);
  });
})();
