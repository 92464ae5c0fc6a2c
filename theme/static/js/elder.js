/* 关怀版 (elder mode) switch. Loaded in <head> so the class is set before the page paints.
   Without JavaScript the 关怀版 link (href="#elder") still works for the page it is on:
   site.css applies every elder rule under html:has(#elder:target) as well. With it, the
   link becomes a toggle button and the choice is remembered on the next pages. */
(function () {
  var KEY = "gongshi-elder", root = document.documentElement, on = false;
  try { on = window.localStorage.getItem(KEY) === "1"; } catch (e) { /* storage blocked */ }
  if (window.location.hash === "#elder") { on = true; }  // arrived by the no-JS link
  function save() {
    try { window.localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* not stored */ }
  }
  if (on) { save(); }
  function apply() {
    if (on) { root.classList.add("elder"); } else { root.classList.remove("elder"); }
  }
  apply();
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll(".elder-toggle"), i;
    function sync() {
      for (var j = 0; j < buttons.length; j++) {
        buttons[j].setAttribute("aria-pressed", on ? "true" : "false");
      }
    }
    function toggle(event) {
      event.preventDefault();
      on = !on;
      apply();
      save();
      sync();
      // Off while the page is still the #elder target: leave the target, or its CSS stays.
      if (!on && window.location.hash === "#elder") { window.location.replace("#main"); }
    }
    function key(event) {
      if (event.key === " " || event.key === "Spacebar") { toggle(event); }
    }
    // A link to #elder followed on this page (not by the toggle) switches it on too.
    window.addEventListener("hashchange", function () {
      if (window.location.hash === "#elder" && !on) { on = true; apply(); save(); sync(); }
    });
    root.classList.add("js");
    for (i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("role", "button");
      buttons[i].addEventListener("click", toggle);
      buttons[i].addEventListener("keydown", key);
    }
    sync();
  });
})();
