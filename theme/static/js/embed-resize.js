/* Gongshi embeds: size an <iframe> to the embedded page's height.

   One script, two roles:
   - inside an embed page (body[data-gongshi-embed]) shown in a frame, it posts the page's
     height to the host page: {gongshi: "embed-height", height: <px>}, on load and
     whenever the height changes;
   - on any other page (the host: a news article, another site), it listens for those
     messages and sets the height of the <iframe> whose window sent it. Only frames whose
     src is on the same site as this script are resized. A frame that loaded before this
     script did ({gongshi: "embed-ask"}) is asked to post its height again.

   Host page:
     <iframe src="https://example.gov.cn/embed/communities/x/" title="…" width="100%"
             height="600" loading="lazy" style="border:0"></iframe>
     <script src="https://example.gov.cn/theme/js/embed-resize.js" async></script>

   Without the script the iframe keeps its height attribute and scrolls inside itself. */
(function () {
  "use strict";
  var KEY = "embed-height";
  var ASK = "embed-ask";
  var body = document.body;
  if (body && body.hasAttribute("data-gongshi-embed")) {
    if (window.parent === window) { return; }
    var last = 0;
    var send = function () {
      var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
      if (h !== last) {
        last = h;
        window.parent.postMessage({ gongshi: KEY, height: h }, "*");
      }
    };
    window.addEventListener("message", function (event) {
      if (event.source === window.parent && event.data && event.data.gongshi === ASK) { last = 0; send(); }
    });
    window.addEventListener("load", send);
    window.addEventListener("resize", send);
    if (window.ResizeObserver) { new ResizeObserver(send).observe(document.documentElement); }
    send();
    return;
  }
  var script = document.currentScript;
  var origin = script ? new URL(script.src, location.href).origin : location.origin;
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || data.gongshi !== KEY || typeof data.height !== "number") { return; }
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        frames[i].style.height = Math.max(0, Math.min(data.height, 20000)) + "px";
      }
    }
  });
  // Frames that already loaded (and posted before anyone listened) post again; a frame
  // still loading ignores this (wrong origin) and posts when it loads.
  var frames = document.getElementsByTagName("iframe");
  for (var i = 0; i < frames.length; i++) {
    if (frames[i].contentWindow) { frames[i].contentWindow.postMessage({ gongshi: ASK }, origin); }
  }
})();
