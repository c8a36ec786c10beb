// A complaint's page: the resolution as the elder's kiosk will show it, while it is written.
"use strict";
(function () {
  const box = document.getElementById("resolution");
  const preview = document.getElementById("preview");
  if (!box || !preview) return;
  const show = () => {
    const words = box.value.trim().split(/\s+/).join(" ");
    preview.textContent = words
      ? preview.dataset.template.replace("{resolution}", words)
      : preview.dataset.empty;
  };
  box.addEventListener("input", show);
  show();
})();
