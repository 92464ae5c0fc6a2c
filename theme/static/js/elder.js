/* 关怀版 (elder mode) switch. Loaded in <head> so the class is set before the page paints.
   No dependencies; the page works fully without it. */
(function () {
  var KEY = "gongshi-elder", root = document.documentElement, on = false;
  try { on = window.localStorage.getItem(KEY) === "1"; } catch (e) { /* storage blocked */ }
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
    function toggle() {
      on = !on;
      apply();
      try { window.localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* not stored */ }
      sync();
    }
    for (i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", toggle);
    }
    sync();
  });
})();
