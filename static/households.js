// Gõ Cửa, households map: a dragged pin is saved as the household's position (source "pin");
// a household without a position is placed with "Đặt trên bản đồ" then one click on the map
// (source "hand"). geo.maps fires `household-moved` {id, lat, lon} and `map-click` {lat, lon}
// on document; no inline handlers (CSP).
(function () {
  "use strict";

  var gocua = window.gocua;  // static/app.js: toast, text, csrf
  var placing = null;  // the household waiting for a click on the map: {id, name}

  function post(url, lat, lon) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": gocua.csrf() },
      body: JSON.stringify({ lat: lat, lon: lon })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) { throw new Error(body.error || String(response.status)); }
        return body;
      });
    });
  }

  function urlFor(box, attribute, id) {
    return box.getAttribute(attribute).replace("/0/", "/" + encodeURIComponent(id) + "/");
  }

  document.addEventListener("household-moved", function (event) {
    var box = document.getElementById("household-map");
    if (!box || !event.detail) { return; }
    var url = urlFor(box, "data-position-url", event.detail.id);
    post(url, event.detail.lat, event.detail.lon).then(function () {
      box.setAttribute("data-last-saved", String(event.detail.id));
      gocua.toast(gocua.text("pinSaved"), true);
      if (window.htmx && document.querySelector("#household-card [data-household='" + event.detail.id + "']")) {
        htmx.ajax("GET", url.replace(/position$/, "card"), { target: "#household-card" });
      }
    }).catch(function (error) {
      gocua.toast(gocua.text("pinFailed") + error.message, false);
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".hh-place-btn");
    if (!button) { return; }
    var box = document.getElementById("household-map");
    placing = { id: button.getAttribute("data-household"), name: button.getAttribute("data-name") };
    if (box) {
      box.setAttribute("data-placing", placing.id);
      box.scrollIntoView({ behavior: "smooth", block: "center" });
    }
    gocua.toast(gocua.text("placeClick") + placing.name, true);
  });

  document.addEventListener("map-click", function (event) {
    var box = document.getElementById("household-map");
    if (!box || !placing || !event.detail) { return; }
    var chosen = placing;
    placing = null;
    box.removeAttribute("data-placing");
    post(urlFor(box, "data-place-url", chosen.id), event.detail.lat, event.detail.lon).then(function () {
      box.setAttribute("data-last-placed", String(chosen.id));
      gocua.toast(gocua.text("placeSaved") + chosen.name, true);
      window.location.reload();  // the new pin, the shorter list, the count left
    }).catch(function (error) {
      gocua.toast(gocua.text("pinFailed") + error.message, false);
    });
  });
})();
