// Tell the server how big the chosen file is, so that an upload cut off in transit is
// reported as such rather than as a broken workbook. Loaded as a file: CSP forbids inline JS.
"use strict";
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
  const field = input.dataset.sizeField && document.getElementById(input.dataset.sizeField);
  if (!field) return;
  field.value = input.files && input.files.length ? String(input.files[0].size) : "";
});
