/* The add-an-operator form: the provider select shows only when the role is provider.
   Without this script the select is always there (the server checks it either way). */
(function () {
  "use strict";
  var role = document.getElementById("role");
  var field = document.getElementById("provider-field");
  if (!role || !field) return;
  function update() { field.hidden = role.value !== "provider"; }
  role.addEventListener("change", update);
  update();
})();
