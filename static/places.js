// Gõ Cửa, places: a click on the map fills the meeting point form (geo.maps.PointPicker).
(function () {
  "use strict";
  document.addEventListener("map-point", function (event) {
    var form = document.getElementById("meeting-form");
    if (!form) return;
    form.elements.lat.value = event.detail.lat.toFixed(6);
    form.elements.lon.value = event.detail.lon.toFixed(6);
  });
})();
