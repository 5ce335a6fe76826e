// Gõ Cửa, lane editor: geo.maps.LaneDrawing fires `lane-drawn` {path}, `lane-edited`
// {id, path} and `lane-picked` {id}; this fills the lane form (no inline handlers: CSP).
(function () {
  "use strict";

  function form() { return document.getElementById("lane-form"); }

  function pick(id) {
    var f = form(), row = document.querySelector("tr[data-lane='" + id + "']");
    if (!f || !row) { return; }
    f.elements.lane_id.value = id;
    f.elements.name.value = row.getAttribute("data-name");
    f.elements.street.value = row.getAttribute("data-street");
    f.elements.parent_id.value = row.getAttribute("data-parent");
    f.elements.path.value = "";
    document.getElementById("lane-form-title").textContent = row.cells[0].textContent;
    f.scrollIntoView({ behavior: "smooth", block: "nearest" });
  }

  function setPath(path) {
    var f = form();
    if (!f) { return; }
    f.elements.path.value = JSON.stringify(path);
    var state = document.getElementById("lane-path-state");
    state.textContent = window.gocua.text("laneDrawn").replace("{n}", String(path.length));
  }

  document.addEventListener("lane-drawn", function (event) { setPath(event.detail.path); });
  document.addEventListener("lane-edited", function (event) {
    pick(event.detail.id);
    setPath(event.detail.path);
  });
  document.addEventListener("lane-picked", function (event) { pick(event.detail.id); });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".lane-edit-btn");
    if (button) { pick(button.getAttribute("data-lane")); }
  });
})();
