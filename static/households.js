// Gõ Cửa, households map: a dragged pin is saved as the household's position (source "pin").
// geo.maps fires `household-moved` on document with {id, lat, lon}; no inline handlers (CSP).
(function () {
  "use strict";

  var gocua = window.gocua;  // static/app.js: toast, text, csrf

  document.addEventListener("household-moved", function (event) {
    var box = document.getElementById("household-map");
    if (!box || !event.detail) { return; }
    var url = box.getAttribute("data-position-url").replace("/0/", "/" + encodeURIComponent(event.detail.id) + "/");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": gocua.csrf() },
      body: JSON.stringify({ lat: event.detail.lat, lon: event.detail.lon })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) { throw new Error(body.error || String(response.status)); }
        box.setAttribute("data-last-saved", String(event.detail.id));
        gocua.toast(gocua.text("pinSaved"), true);
        if (window.htmx && document.querySelector("#household-card [data-household='" + event.detail.id + "']")) {
          htmx.ajax("GET", url.replace(/position$/, "card"), { target: "#household-card" });
        }
      });
    }).catch(function (error) {
      gocua.toast(gocua.text("pinFailed") + error.message, false);
    });
  });
})();
