// Review list: "tick all" ticks every household checkbox in the list (no inline handlers: CSP).
(function () {
  "use strict";
  document.addEventListener("change", function (evt) {
    var box = evt.target;
    if (!box.dataset || !box.dataset.ticks) { return; }
    var all = document.querySelectorAll("input[type=checkbox][name=" + box.dataset.ticks + "]");
    for (var i = 0; i < all.length; i++) { all[i].checked = box.checked; }
  });
})();
